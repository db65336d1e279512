package dev.reef.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, exactly as a newcomer runs it: {@code ./reef up --port N --data-dir DIR}. */
class ReefUpCommandIT {

  private static final Path REEF = Path.of("..", "reef").toAbsolutePath().normalize();

  @TempDir
  Path dataDir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : started) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void up_firstStart_printsDashboardUrlAndGeneratedPassword_restart_doesNotRepeatIt() throws Exception {
    int port = freePort();
    Output first = start("--port", String.valueOf(port), "--data-dir", dataDir.toString());
    String dashboardLine = first.await("Dashboard: ", Duration.ofSeconds(120));
    assertThat(dashboardLine).contains("http://localhost:" + port + "/");
    String login = first.await("Log in as", Duration.ofSeconds(5));
    assertThat(login).contains("admin@reef.local").contains("with password ");
    assertThat(get(port, "/actuator/health")).contains("\"UP\"");
    assertThat(Files.isDirectory(dataDir.resolve("db"))).as("H2 database in the data dir").isTrue();
    stopProcess(first.process);

    Output second = start("--port", String.valueOf(port), "--data-dir", dataDir.toString());
    second.await("Dashboard: ", Duration.ofSeconds(120));
    String again = second.await("Log in", Duration.ofSeconds(5));
    assertThat(again).doesNotContain("password ");
    assertThat(String.join("\n", second.lines)).doesNotContain("with password");
  }

  @Test
  void up_badPort_failsWithMessage() throws Exception {
    Process p = new ProcessBuilder(REEF.toString(), "up", "--port", "eighty").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(out).contains("--port must be a number");
  }

  private record Output(Process process, List<String> lines) {
    String await(String text, Duration timeout) throws InterruptedException {
      Instant deadline = Instant.now().plus(timeout);
      while (Instant.now().isBefore(deadline)) {
        for (String line : lines) {
          if (line.contains(text)) {
            return line;
          }
        }
        if (!process.isAlive()) {
          break;
        }
        Thread.sleep(100);
      }
      throw new AssertionError("'" + text + "' not printed; output was:\n" + String.join("\n", lines));
    }
  }

  private Output start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(REEF.toString(), "up"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("REEF_"));
    Process process = builder.start();
    started.add(process);
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread.ofVirtual().start(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
        for (String line; (line = reader.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    return new Output(process, lines);
  }

  private static void stopProcess(Process p) throws InterruptedException {
    p.destroy();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("Reef stops on SIGTERM").isTrue();
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
