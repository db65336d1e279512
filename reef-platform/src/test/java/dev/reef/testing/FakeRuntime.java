package dev.reef.testing;

import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.RuntimeContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;

/**
 * The {@code fake} runtime: agents are {@link FakeAgent} processes, started with this JVM's own {@code java} and
 * test classpath, so tests exercise real processes, ports and the LLM proxy without installing OpenClaw. A
 * component, so every test application has it besides the real runtimes. Its delays are settable by tests, and
 * reset by {@link #reset}.
 */
@Component
public class FakeRuntime implements AgentRuntime {

  public static final String NAME = "fake";
  public static final String VERSION = "1.0.0";
  public static final String CONFIG_FILE = "fake-agent.json";
  public static final String MODEL = "fake/default";

  private volatile Duration installDelay = Duration.ZERO;
  private volatile List<String> installProgress = List.of("fake runtime: nothing to download");
  private volatile Duration startupDelay = Duration.ZERO;

  /** Install takes this long, reporting {@code progress} spread over the time. */
  public FakeRuntime installDelay(Duration delay, List<String> progress) {
    this.installDelay = delay;
    this.installProgress = List.copyOf(progress);
    return this;
  }

  /** Agents answer {@code /readyz} with 503 for this long after they start. */
  public FakeRuntime startupDelay(Duration delay) {
    this.startupDelay = delay;
    return this;
  }

  public void reset() {
    installDelay = Duration.ZERO;
    installProgress = List.of("fake runtime: nothing to download");
    startupDelay = Duration.ZERO;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String defaultVersion() {
    return VERSION;
  }

  @Override
  public Installation install(String version, Consumer<String> progress) {
    List<String> lines = installProgress;
    Duration step = installDelay.dividedBy(Math.max(1, lines.size()));
    for (String line : lines) {
      sleep(step);
      progress.accept(line);
    }
    return new Installation(NAME, version, Path.of(System.getProperty("java.home")));
  }

  @Override
  public Launch launch(Installation installation, RuntimeContext context) {
    FakeAgent.Config config = new FakeAgent.Config(context.placement().listenHost(),
        context.placement().listenPort(), context.gatewayToken(), context.agentToken(),
        context.placement().proxyBaseUrl(), context.model(), startupDelay.toMillis());
    Path configPath = Path.of(context.placement().path("state")).resolve(CONFIG_FILE);
    List<String> command = List.of(
        installation.home().resolve("bin").resolve("java").toString(),
        // start fast and small: one agent per test is a whole JVM
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k", "-Xmx64m",
        "-Djava.io.tmpdir=" + context.placement().path("tmp"),
        "-cp", System.getProperty("java.class.path"),
        FakeAgent.class.getName(), configPath.toString());
    return new Launch(command, Map.of("FAKE_AGENT_ID", context.placement().agentId().toString()),
        Map.of(CONFIG_FILE, Api.JSON.writeValueAsBytes(config)));
  }

  @Override
  public String readinessPath() {
    return "/readyz";
  }

  @Override
  public String chatPath() {
    return "/v1/chat/completions";
  }

  @Override
  public String chatModel() {
    return MODEL;
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
