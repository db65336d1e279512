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
    List<Path> readOnlyPaths, Map<String, byte[]> workspaceFiles, List<SharedDirectory> sharedDirectories) {

  public Launch {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
    files = Map.copyOf(files);
    readOnlyPaths = List.copyOf(readOnlyPaths);
    workspaceFiles = workspaceFiles == null ? Map.of() : Map.copyOf(workspaceFiles);
    sharedDirectories = sharedDirectories == null ? List.of() : List.copyOf(sharedDirectories);
  }

  /** A launch that shows the agent no shared directory inside its own files. */
  public Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files,
      List<Path> readOnlyPaths, Map<String, byte[]> workspaceFiles) {
    this(command, environment, files, readOnlyPaths, workspaceFiles, List.of());
  }

  /**
   * A directory of this machine the agent must see inside its own state directory, read-only, at {@code at} (a path
   * relative to the state directory), e.g. a plugin its runtime only trusts where the runtime installs plugins
   * itself. A sandboxing driver shows the agent its own copy of {@code host}, owned by the agent's user (runtimes
   * check who owns what they load) with each of {@code links} (a path inside the directory, relative) made a
   * symbolic link to a path of this machine, translated to where that path appears inside the sandbox; a driver
   * without a sandbox copies it into the state directory.
   */
  public record SharedDirectory(Path host, String at, Map<String, Path> links) {

    public SharedDirectory {
      links = Map.copyOf(links);
      if (at.isBlank() || at.startsWith("/") || java.util.Arrays.asList(at.split("/")).contains("..")) {
        throw new IllegalArgumentException("a shared directory goes below the state directory, not at " + at);
      }
    }
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
        + new java.util.TreeSet<>(workspaceFiles.keySet()) + ", readOnlyPaths=" + readOnlyPaths
        + ", sharedDirectories=" + sharedDirectories + "]";
  }
}
