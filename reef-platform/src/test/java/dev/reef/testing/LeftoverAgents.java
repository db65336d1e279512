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

  public static void kill(Path dataDir) {
    Path agents = dataDir.resolve("agents");
    if (!Files.isDirectory(agents)) {
      return;
    }
    try (Stream<Path> files = Files.find(agents, 4, (p, a) -> p.getFileName().toString().equals("wrapper.pid"))) {
      for (Path pidFile : files.toList()) {
        String text = Files.readString(pidFile).trim();
        // a group id of 0 or 1 would mean "my own group" or "every process": never signal those
        if (text.matches("\\d{1,9}") && Long.parseLong(text) > 1) {
          new ProcessBuilder("kill", "-KILL", "-" + text).redirectErrorStream(true).start().waitFor();
        }
      }
    } catch (IOException e) {
      // best effort
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
