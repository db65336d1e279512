package dev.reef.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Agents are detached processes that outlive Reef by design; a test JVM that ends must not leave the ones its tests
 * started behind. At exit this kills every agent process group recorded under a data dir (their wrappers' pids).
 */
public final class LeftoverAgents {

  private LeftoverAgents() {}

  public static void killAtExit(Path dataDir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> kill(dataDir), "kill-leftover-agents"));
  }

  private static void signal(String signal, long group) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, "--", "-" + group).redirectErrorStream(true).start().waitFor();
  }

  public static void kill(Path dataDir) {
    Path agents = dataDir.resolve("agents");
    if (!Files.isDirectory(agents)) {
      return;
    }
    try (Stream<Path> files = Files.find(agents, 4, (p, a) -> p.getFileName().toString().equals("wrapper.pid"))) {
      java.util.List<Long> groups = new java.util.ArrayList<>();
      for (Path pidFile : files.toList()) {
        String text = Files.readString(pidFile).trim();
        // a group id of 0 or 1 would mean "my own group" or "every process": never signal those
        if (text.matches("\\d{1,9}") && Long.parseLong(text) > 1) {
          groups.add(Long.parseLong(text));
        }
      }
      // TERM first and wait, so each agent ends the ordinary way (its wrapper reaps it, this JVM reaps the
      // wrapper) rather than leaving orphans for the machine's init to collect; KILL whatever is left.
      for (long group : groups) {
        signal("TERM", group);
      }
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
      while (groups.stream().anyMatch(g -> ProcessHandle.of(g).isPresent()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      for (long group : groups) {
        if (ProcessHandle.of(group).isPresent()) {
          signal("KILL", group);
        }
      }
    } catch (IOException e) {
      // best effort
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
