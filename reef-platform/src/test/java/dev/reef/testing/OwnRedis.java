package dev.reef.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server of the test's own ({@code redis-server} on a free port, nothing persisted), for what a test must not
 * do to the shared one: freeze it ({@code SIGSTOP}), kill it, start it again empty. Needs the {@code redis-server}
 * binary, which comes with Debian's {@code redis-server} package ({@code .ci/run} installs it); without it the test
 * is skipped locally and fails in CI.
 */
public final class OwnRedis implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private OwnRedis(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Starts one; skips (laptop) or fails (CI) the calling test when {@code redis-server} is missing. */
  public static OwnRedis start() throws IOException, InterruptedException {
    RequiredService.require(binary() == null ? "redis-server is not installed" : null,
        "Install Redis (apt-get install redis-server).");
    OwnRedis redis = new OwnRedis(freePort(), Files.createTempDirectory("reef-own-redis"));
    redis.startProcess();
    return redis;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** SIGSTOP: the server keeps its connections but answers nothing, as a stalled or swapping Redis does. */
  public void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT: it answers again, running whatever was sent to it meanwhile. */
  public void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  /** Kills it (SIGKILL): everything it held is gone. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** Starts it again, empty, on the same port. */
  public void restart() throws IOException, InterruptedException {
    kill();
    startProcess();
  }

  private void startProcess() throws IOException, InterruptedException {
    process = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(deadline)) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("redis-server did not start on port " + port + ": "
        + Files.readString(dir.resolve("redis.log")));
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  private static String binary() {
    for (String candidate : new String[] {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      signal("CONT"); // a frozen server cannot die of SIGKILL's cleanup until it runs again
      kill();
    }
  }
}
