package dev.reef.testing;

import dev.reef.ReefApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reef as an operating-system process of its own (a JVM on the test classpath, so the {@code fake} runtime is there),
 * for tests that need what only separate processes have: a replica that dies by {@code kill -9} while another goes on.
 * Its output goes to {@code <name>.log} beside the data dir, and is quoted when it fails to start.
 */
public final class ReefProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;
  private final int port;

  private ReefProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts Reef with the test defaults plus {@code properties} and waits until it reports ready.
   *
   * @param logDir where {@code <name>.log} is written
   */
  public static ReefProcess start(String name, Path dataDir, Path logDir, Map<String, Object> properties)
      throws IOException, InterruptedException {
    int port = freePort();
    Path log = logDir.resolve(name + ".log");
    ReefProcess reef = new ReefProcess(name, launch(dataDir, log, port, properties), log, port);
    reef.awaitReady(Duration.ofSeconds(180));
    return reef;
  }

  /** How a Reef that was expected not to start ended. */
  public record Ended(int exitCode, String output) {}

  /** Starts Reef as {@link #start} does, expecting it to exit on its own within {@code within}. */
  public static Ended run(String name, Path dataDir, Path logDir, Map<String, Object> properties, Duration within)
      throws IOException, InterruptedException {
    Path log = logDir.resolve(name + ".log");
    Process process = launch(dataDir, log, freePort(), properties);
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("Reef " + name + " was still running after " + within + ":\n"
          + Files.readString(log));
    }
    return new Ended(process.exitValue(), Files.readString(log));
  }

  private static Process launch(Path dataDir, Path log, int port, Map<String, Object> properties)
      throws IOException {
    Map<String, Object> all = StandaloneReef.testDefaults(dataDir);
    all.put("server.port", port);
    all.putAll(properties);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        ReefApplication.class.getName()));
    all.forEach((key, value) -> command.add("--" + key + "=" + value));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // Only what the test says: nothing of the developer's own REEF_* settings.
    builder.environment().keySet().removeIf(variable -> variable.startsWith("REEF_"));
    return builder.start();
  }

  public long pid() {
    return process.pid();
  }

  public Api api() {
    return new Api(port);
  }

  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills it as a crash or the OOM killer would: SIGKILL, no shutdown hook, nothing cleaned up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    Api api = api();
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("Reef " + name + " exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        if (api.get("/actuator/health/readiness", null).status() == 200) {
          return;
        }
      } catch (RuntimeException notListeningYet) {
        // starting
      }
      Thread.sleep(250);
    }
    process.destroyForcibly();
    throw new AssertionError("Reef " + name + " was not ready within " + timeout + ":\n" + output());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
