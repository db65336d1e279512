package dev.reef.testing;

import dev.reef.orchestration.AgentChannel;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.RuntimeContext;
import dev.reef.orchestration.RuntimeInstallException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * The {@code fake} runtime: agents are {@link FakeAgent} processes, started with this JVM's own {@code java} from
 * an installation holding a copy of FakeAgent's classes (it needs nothing else, so a sandbox that shows nothing but
 * the installation runs it), so tests exercise real processes, sandboxes, sockets and the LLM proxy without
 * installing OpenClaw. A
 * component, so every test application has it besides the real runtimes. Its delays are settable by tests, and
 * reset by {@link #reset}.
 */
@Component
public class FakeRuntime implements AgentRuntime {

  public static final String NAME = "fake";
  public static final String VERSION = "1.0.0";
  public static final String CONFIG_FILE = "fake-agent.properties";
  public static final String MODEL = "fake/default";

  private volatile Duration installDelay = Duration.ZERO;
  private volatile List<String> installProgress = List.of("fake runtime: nothing to download");
  private volatile Duration startupDelay = Duration.ZERO;
  private volatile boolean missingPath;
  private volatile int proxyRetries;
  /** Installed versions: the default, and any a test installed (they are all the same agent but {@link #BROKEN}). */
  private final java.util.Set<String> installed = new java.util.concurrent.ConcurrentSkipListSet<>(List.of(VERSION));

  /** A version suffix whose agents cannot start (their process exits at once): for rollback paths. */
  public static final String BROKEN = "-broken";
  /** A persona file with this in it makes the agent fail to start, as a configuration OpenClaw refuses would. */
  public static final String CRASH_ON_START = "REEF-FAKE-CRASH-ON-START";

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

  /** Agents started from now on need a path that does not exist: a sandbox cannot be made for them. */
  public FakeRuntime needsAMissingPath(boolean missing) {
    this.missingPath = missing;
    return this;
  }

  /** Agents started from now on call the proxy again up to this many times when it fails (as OpenClaw does). */
  public FakeRuntime proxyRetries(int retries) {
    this.proxyRetries = retries;
    return this;
  }

  /** What each agent says it has scheduled (as OpenClaw's cron.list would); runs past are left out. */
  private final java.util.Map<java.util.UUID, List<dev.reef.orchestration.ScheduledRun>> schedules =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile java.time.Clock clock = java.time.Clock.systemUTC();

  /** The agent reports these runs from now on, against {@code clock} (a test's clock). */
  public FakeRuntime schedule(java.util.UUID agentId, java.time.Clock clock,
      List<dev.reef.orchestration.ScheduledRun> runs) {
    this.clock = clock;
    schedules.put(agentId, List.copyOf(runs));
    return this;
  }

  /** How often Reef asked an agent for its schedule. */
  public int scheduleAsks(java.util.UUID agentId) {
    return scheduleAsks.getOrDefault(agentId, new java.util.concurrent.atomic.AtomicInteger()).get();
  }

  private final java.util.Map<java.util.UUID, java.util.concurrent.atomic.AtomicInteger> scheduleAsks =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The fake agent is asked over the real connection (it must answer its readiness path), then reports its runs. */
  @Override
  public List<dev.reef.orchestration.ScheduledRun> upcomingRuns(dev.reef.orchestration.Placement placement,
      String gatewayToken, dev.reef.orchestration.AgentSockets sockets, Duration timeout) throws java.io.IOException {
    try (java.nio.channels.SocketChannel channel = sockets.open(placement)) {
      channel.write(java.nio.ByteBuffer.wrap("GET /readyz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(64);
      channel.read(answer);
      if (!new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).contains(" 200 ")) {
        throw new java.io.IOException("the fake agent is not ready");
      }
    }
    scheduleAsks.computeIfAbsent(placement.agentId(), id -> new java.util.concurrent.atomic.AtomicInteger())
        .incrementAndGet();
    java.time.Instant now = clock.instant();
    return schedules.getOrDefault(placement.agentId(), List.of()).stream().filter(r -> r.at().isAfter(now))
        .toList();
  }

  public void reset() {
    proxyRetries = 0;
    installDelay = Duration.ZERO;
    installProgress = List.of("fake runtime: nothing to download");
    startupDelay = Duration.ZERO;
    missingPath = false;
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
  public List<String> installedVersions() {
    return List.copyOf(installed);
  }

  @Override
  public Installation install(String version, Consumer<String> progress) {
    installed.add(version);
    List<String> lines = installProgress;
    Duration step = installDelay.dividedBy(Math.max(1, lines.size()));
    try {
      for (String line : lines) {
        Thread.sleep(step);
        progress.accept(line);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeInstallException("the fake runtime's install was interrupted", e);
    }
    return new Installation(NAME, version, installation());
  }

  /**
   * A directory with FakeAgent's classes, readable by everyone (a sandboxed agent runs as a uid of its own): made
   * once per test JVM, aside and then renamed into place, so concurrent installs never see half of it.
   */
  static synchronized Path installation() {
    Path home = Path.of("target", "fake-runtime", VERSION + "-" + ProcessHandle.current().pid()).toAbsolutePath();
    if (Files.isDirectory(home)) {
      return home;
    }
    try {
      Path location = Path.of(FakeAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      String packagePath = FakeAgent.class.getPackageName().replace('.', '/');
      Path aside = Files.createDirectories(home.resolveSibling(home.getFileName() + ".tmp"));
      Path target = Files.createDirectories(aside.resolve("classes").resolve(packagePath));
      // the test classes directory, or the test jar (the benchmarks run from it)
      try (java.nio.file.FileSystem jar = Files.isDirectory(location) ? null
          : java.nio.file.FileSystems.newFileSystem(location)) {
        Path classes = jar == null ? location : jar.getPath("/");
        try (Stream<Path> files = Files.list(classes.resolve(packagePath))) {
          for (Path file : files.filter(f -> f.getFileName().toString().startsWith(FakeAgent.class.getSimpleName()))
              .toList()) {
            Files.copy(file, target.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      try (Stream<Path> all = Files.walk(aside)) {
        for (Path p : all.toList()) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
              : "rw-r--r--"));
        }
      }
      Files.move(aside, home, StandardCopyOption.ATOMIC_MOVE);
      return home;
    } catch (IOException | java.net.URISyntaxException e) {
      throw new RuntimeInstallException("cannot make the fake runtime's installation in " + home, e);
    }
  }

  @Override
  public Launch launch(Installation installation, RuntimeContext context) {
    FakeAgent.Config config = new FakeAgent.Config(context.placement().listenHost(),
        context.placement().listenPort(), context.gatewayToken(), context.agentToken(),
        context.placement().proxyBaseUrl(), context.model(), startupDelay.toMillis(), proxyRetries,
        context.channels().stream().filter(c -> c instanceof AgentChannel.Telegram)
            .map(c -> ((AgentChannel.Telegram) c).botId()).findFirst().orElse(""));
    String configPath = context.placement().path("state") + "/" + CONFIG_FILE;
    Path java = Path.of(System.getProperty("java.home"));
    List<String> command = List.of(
        java.resolve("bin").resolve("java").toString(),
        // start fast and small: one agent per test is a whole JVM
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k", "-Xmx64m",
        // without it the JDK's server holds a response's last bytes back for the client's delayed ACK (40 ms)
        "-Dsun.net.httpserver.nodelay=true",
        "-Djava.io.tmpdir=" + context.placement().path("tmp"),
        "-cp", installation.home().resolve("classes").toString(),
        // a broken version's agent (or one whose persona says so: a configuration that does not start) names a
        // class that is not there: the JVM exits with code 1 at once
        installation.version().endsWith(BROKEN) || context.config().persona().values().stream()
            .anyMatch(text -> text.contains(CRASH_ON_START)) ? FakeAgent.class.getName() + "Missing"
            : FakeAgent.class.getName(),
        configPath, context.placement().agentId().toString());
    // persona files as OpenClaw gets them: into the workspace, over what was there
    Map<String, byte[]> persona = new java.util.LinkedHashMap<>();
    context.config().persona().forEach((name, text) -> persona.put(name, text.getBytes(StandardCharsets.UTF_8)));
    return new Launch(command, Map.of("FAKE_AGENT_ID", context.placement().agentId().toString()),
        Map.of(CONFIG_FILE, config.render().getBytes(StandardCharsets.UTF_8)),
        missingPath ? List.of(installation.home(), java, Path.of("/no/such/runtime/for/this/agent"))
            : List.of(installation.home(), java), persona);
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
}
