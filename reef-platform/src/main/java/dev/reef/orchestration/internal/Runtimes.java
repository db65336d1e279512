package dev.reef.orchestration.internal;

import dev.reef.orchestration.AgentRuntime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/** The agent runtimes this Reef can host, by name. */
@Component
final class Runtimes {

  private final Map<String, AgentRuntime> byName = new TreeMap<>();

  Runtimes(List<AgentRuntime> runtimes) {
    runtimes.forEach(r -> byName.put(r.name(), r));
  }

  Optional<AgentRuntime> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  java.util.Set<String> names() {
    return byName.keySet();
  }
}
