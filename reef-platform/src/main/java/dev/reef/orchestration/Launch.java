package dev.reef.orchestration;

import java.util.List;
import java.util.Map;

/**
 * How to start an agent this time: a command, its environment (the only environment it gets: nothing of Reef's
 * own environment leaks in), and files to write first (its config, with fresh tokens), keyed by a path relative to
 * the agent's state directory.
 */
public record Launch(List<String> command, Map<String, String> environment, Map<String, byte[]> files) {

  public Launch {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
    files = Map.copyOf(files);
  }
}
