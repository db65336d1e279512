package dev.reef.orchestration;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start an agent this time: a command, its environment (the only environment it gets: nothing of Reef's
 * own environment leaks in), and files to write first (its config), keyed by a path relative to the agent's state
 * directory (and {@code workspaceFiles}, keyed by a path relative to its workspace: the persona files a tenant
 * set, written over what the agent had), and the paths on this machine the command needs to read (its runtime's installation): a sandboxing
 * driver shows these, read-only and at the same place, and none of the machine's other files but its system
 * directories.
 *
 * <p>The environment carries the agent's fresh tokens, so drivers treat it like a secret: the process's own
 * environment (the process driver), a Secret (Kubernetes); never a log line. {@link #toString} names the variables
 * only.
 */
public record Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files,
    List<Path> readOnlyPaths, Map<String, byte[]> workspaceFiles) {

  public Launch {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
    files = Map.copyOf(files);
    readOnlyPaths = List.copyOf(readOnlyPaths);
    workspaceFiles = workspaceFiles == null ? Map.of() : Map.copyOf(workspaceFiles);
  }

  /** A launch that writes nothing into the agent's workspace. */
  public Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files,
      List<Path> readOnlyPaths) {
    this(command, environment, files, readOnlyPaths, Map.of());
  }

  /** A launch that needs nothing of the machine but its system directories. */
  public Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files) {
    this(command, environment, files, List.of());
  }

  @Override
  public String toString() {
    return "Launch[command=" + command + ", environment=" + new java.util.TreeSet<>(environment.keySet())
        + ", files=" + new java.util.TreeSet<>(files.keySet()) + ", workspaceFiles="
        + new java.util.TreeSet<>(workspaceFiles.keySet()) + ", readOnlyPaths=" + readOnlyPaths + "]";
  }
}
