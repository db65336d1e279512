package dev.reef.runtimes.internal.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.TenantId;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.RuntimeContext;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.RequiredService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real thing: installs OpenClaw from the npm registry (once: the cache is kept between runs), then starts one
 * gateway exactly as its {@link Launch} says - that command, that environment and nothing else, those files - on
 * a loopback address of its own, with Reef's LLM proxy played by {@link MockUpstream}, and chats with it.
 * No orchestrator is involved: this checks the runtime's half of the contract.
 *
 * <p>The cache is {@code REEF_TEST_RUNTIME_CACHE}, else Reef's default ({@code ~/.cache/reef/runtimes}), so a
 * developer's machine and CI install once. Without npm or the registry (and no install yet) the test is skipped,
 * or fails in CI ({@link RequiredService}).
 */
class OpenClawRuntimeIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final String REPLY = "Reef's mock provider says hello";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void gateway_fromItsLaunch_answersChatThroughReefsProxy_onItsOwnAddress() throws Exception {
    String cacheDir = System.getenv("REEF_TEST_RUNTIME_CACHE");
    RuntimesProperties properties = new RuntimesProperties(cacheDir == null ? null : Path.of(cacheDir), null);
    Map<String, String> environment = System.getenv();
    Path npm = OpenClawInstaller.findNpm(environment).orElse(null);
    InstallCache cache = new InstallCache("openclaw", properties.cache().resolve("openclaw"),
        new OpenClawInstaller(npm, environment, OpenClawConfiguration.INSTALL_TIMEOUT), Clock.systemUTC());
    OpenClawRuntime runtime = new OpenClawRuntime(cache, properties.openclaw().version());
    String version = runtime.defaultVersion();
    if (!cache.isInstalled(version)) {
      requireRegistry(npm);
    }

    long installStarted = System.nanoTime();
    Installation installation = runtime.install(version, line -> System.out.println("[install] " + line));
    Duration installTook = since(installStarted);

    Path agentDir = Files.createTempDirectory("reef-openclaw-it-");
    try (MockUpstream proxy = new MockUpstream().reply(REPLY)) {
      String host = "127." + ThreadLocalRandom.current().nextInt(2, 255) + "."
          + ThreadLocalRandom.current().nextInt(0, 256) + "." + ThreadLocalRandom.current().nextInt(1, 255);
      int port = freePort(host);
      String agentToken = "reef_at_" + UUID.randomUUID();
      String gatewayToken = "gw_" + UUID.randomUUID();
      Map<String, String> paths = Map.of("state", dir(agentDir, "state"), "workspace", dir(agentDir, "workspace"),
          "home", dir(agentDir, "home"), "tmp", dir(agentDir, "tmp"));
      Placement placement = new Placement("test", TenantId.random(), UUID.randomUUID(), host, port,
          "http://" + host + ":" + port, paths, proxy.openAiBaseUrl(), null, Map.of());
      Launch launch = runtime.launch(installation, new RuntimeContext(placement, agentToken, gatewayToken,
          "gpt-test", 1536));

      for (Map.Entry<String, byte[]> file : launch.files().entrySet()) {
        Path target = Path.of(paths.get("state")).resolve(file.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, file.getValue());
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------")); // it holds tokens
      }
      Path output = agentDir.resolve("output.log");
      long started = System.nanoTime();
      Process agent = start(launch, Path.of(paths.get("workspace")), output);
      List<ProcessHandle> family = new ArrayList<>();
      try {
        String base = "http://" + host + ":" + port;
        awaitReady(agent, base, output);
        Duration startTook = since(started);
        family.addAll(agent.descendants().toList());

        long chatStarted = System.nanoTime();
        HttpResponse<String> chat = chat(base, gatewayToken);
        Duration chatTook = since(chatStarted);
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(chat.body());
        assertThat(answer.at("/choices/0/message/content").asString()).contains(REPLY);
        List<MockUpstream.Seen> calls = proxy.requests().stream()
            .filter(seen -> seen.path().equals("/v1/chat/completions")).toList();
        assertThat(calls).as("the agent called Reef's proxy").isNotEmpty();
        assertThat(calls).allSatisfy(seen ->
            assertThat(seen.header("authorization")).isEqualTo("Bearer " + agentToken));
        assertThat(calls.getFirst().body().path("model").asString()).isEqualTo("gpt-test");

        assertThat(chat(base, "wrong-token").statusCode()).as("the gateway token is required").isEqualTo(401);
        // OpenClaw also binds 127.0.0.1 on the same port whenever it binds another address (its docs:
        // gateway.bind custom). Drivers must hand out ports unique on the machine, not only addresses.
        assertThat(get("http://127.0.0.1:" + port + "/readyz").statusCode()).isEqualTo(200);

        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(log).as("the gateway's own output").doesNotContain(agentToken).doesNotContain(gatewayToken);
        assertThat(Path.of(paths.get("state")).resolve(OpenClawConfig.LOG_FILE)).exists();

        System.out.printf("[openclaw-it] openclaw %s: install %d s (0 when cached), start to ready %.1f s, "
                + "first chat %.1f s, memory %d MB in %d processes%n", version, installTook.toSeconds(),
            startTook.toMillis() / 1000.0, chatTook.toMillis() / 1000.0, residentMb(agent), 1 + family.size());
      } finally {
        stop(agent, family);
      }
      assertThat(family).as("every process the agent started is gone").noneMatch(ProcessHandle::isAlive);
    } finally {
      InstallCache.deleteTree(agentDir);
    }
  }

  /** Skips (laptop) or fails (CI) when npm or its registry is missing: nothing can be installed then. */
  private static void requireRegistry(Path npm) throws InterruptedException {
    String howTo = "Install Node.js and npm (apt-get install nodejs npm) and allow access to the npm registry; "
        + "or set REEF_TEST_RUNTIME_CACHE to a directory that already holds an install.";
    if (npm == null) {
      RequiredService.require("npm is not on the PATH, so OpenClaw cannot be installed", howTo);
      return;
    }
    OpenClawInstaller.Result ping = OpenClawInstaller.run(List.of(npm.toString(), "ping"), Path.of("."),
        Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
            "HOME", System.getProperty("user.home")), line -> {}, Duration.ofSeconds(60));
    RequiredService.require(ping.exitCode() == 0 ? null
        : "the npm registry is unreachable (npm ping: " + String.join(" / ", ping.errorLines()) + ")", howTo);
  }

  /** The agent's command as is, in a session of its own so that its whole process group can be signalled. */
  private static Process start(Launch launch, Path directory, Path output) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("/usr/bin/setsid");
    command.addAll(launch.command());
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(launch.environment());
    return builder.start();
  }

  private void awaitReady(Process agent, String base, Path output) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!agent.isAlive()) {
        throw new AssertionError("the gateway exited with " + agent.exitValue() + " before it was ready:\n"
            + tail(output));
      }
      try {
        HttpResponse<String> ready = get(base + "/readyz");
        if (ready.statusCode() == 200 && JSON.readTree(ready.body()).path("ready").asBoolean()) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the gateway was not ready within " + READY_TIMEOUT + ":\n" + tail(output));
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(String base, String token) throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("model", "openclaw/default",
        "messages", List.of(Map.of("role", "user", "content", "Say hello."))));
    return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofMinutes(2)).header("authorization", "Bearer " + token)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGTERM to the agent's process group, SIGKILL if it is still there after 30 s; then anything left over. */
  private static void stop(Process agent, List<ProcessHandle> family) throws Exception {
    signalGroup(agent.pid(), "TERM");
    if (!agent.waitFor(30, TimeUnit.SECONDS)) {
      signalGroup(agent.pid(), "KILL");
      agent.waitFor(10, TimeUnit.SECONDS);
    }
    // OpenClaw's spawn broker runs in a session of its own, out of reach of the group signal; it exits when its
    // parent does. Give it a moment, then make sure.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (family.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static void signalGroup(long pid, String signal) throws Exception {
    new ProcessBuilder("kill", "-" + signal, "--", "-" + pid).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
  }

  /** Resident memory of the agent and its descendants, from /proc. */
  private static long residentMb(Process agent) {
    long kb = 0;
    List<ProcessHandle> all = new ArrayList<>(agent.descendants().toList());
    all.add(agent.toHandle());
    for (ProcessHandle process : all) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
          if (line.startsWith("VmRSS:")) {
            kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | NumberFormatException gone) {
        // exited in between
      }
    }
    return kb / 1024;
  }

  /** A port free on both the agent's address and 127.0.0.1, since OpenClaw binds both. */
  private static int freePort(String host) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = socket.getLocalPort();
      }
      try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getByName(host))) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port");
  }

  private static String dir(Path parent, String name) throws IOException {
    return Files.createDirectories(parent.resolve(name)).toString();
  }

  private static String tail(Path output) throws IOException {
    List<String> lines = Files.exists(output) ? Files.readAllLines(output) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}
