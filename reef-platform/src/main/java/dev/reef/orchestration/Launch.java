package dev.reef.orchestration;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start an agent this time: a command, its environment (the only environment it gets: nothing of Reef's
 * own environment leaks in), and files to write first (its config), keyed by a path relative to the agent's state
 * directory, and the paths on this machine the command needs to read (its runtime's installation): a sandboxing
 * driver shows these, read-only and at the same place, and none of the machine's other files but its system
 * directories.
 *
 * <p>The environment carries the agent's fresh tokens, so drivers treat it like a secret: the process's own
 * environment (the process driver), a Secret (Kubernetes); never a log line. {@link #toString} names the variables
 * only.
 */
public record Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files,
    List<Path> readOnlyPaths) {

  public Launch {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
    files = Map.copyOf(files);
    readOnlyPaths = List.copyOf(readOnlyPaths);
  }

  /** A launch that needs nothing of the machine but its system directories. */
  public Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files) {
    this(command, environment, files, List.of());
  }

  @Override
  public String toString() {
    return "Launch[command=" + command + ", environment=" + new java.util.TreeSet<>(environment.keySet())
        + ", files=" + new java.util.TreeSet<>(files.keySet()) + ", readOnlyPaths=" + readOnlyPaths + "]";
  }
}
