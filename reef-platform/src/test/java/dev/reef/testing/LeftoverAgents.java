package dev.reef.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  /**
   * Whether {@code pid} is still the wrapper that wrote the pid file: its command line names the agent's run
   * directory (by any path: a data dir may be reached through a link). A wrapper that ended leaves its file behind,
   * and pids are reused soon (this machine's {@code pid_max} is 32768): without this check a stale file sends the
   * signal to whatever process group has that number now.
   */
  private static boolean isWrapperOf(String pid, Path runDir) {
    try {
      String commandLine = Files.readString(Path.of("/proc", pid, "cmdline"), StandardCharsets.ISO_8859_1);
      for (String argument : commandLine.split("\0")) {
        if (argument.startsWith("/") && argument.endsWith("/run") && Files.isSameFile(Path.of(argument), runDir)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false; // no such process, or its run directory is gone
    }
  }

  /** Agents' disk images still mounted under {@code agents} (their agent was never stopped): unmounted. */
  private static void unmountDisks(Path agents) throws IOException, InterruptedException {
    String prefix = agents.toAbsolutePath().normalize() + "/";
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] fields = line.split(" ");
      if (fields.length > 4 && fields[4].startsWith(prefix) && fields[4].endsWith("/fs")) {
        new ProcessBuilder("umount", "-l", fields[4]).redirectErrorStream(true).start().waitFor();
      }
    }
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
        if (text.matches("\\d{1,9}") && Long.parseLong(text) > 1 && isWrapperOf(text, pidFile.getParent())) {
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
      unmountDisks(agents);
    } catch (IOException e) {
      // best effort
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
