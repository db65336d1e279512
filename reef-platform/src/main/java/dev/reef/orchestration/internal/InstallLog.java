package dev.reef.orchestration.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last lines of each agent's runtime installation, shown with its logs: an install happens before the agent has
 * a process (and a log file) of its own.
 */
@org.springframework.stereotype.Component
final class InstallLog {

  private static final int KEEP = 200;
  private final ConcurrentHashMap<UUID, Deque<String>> lines = new ConcurrentHashMap<>();

  void append(UUID agentId, String line) {
    Deque<String> deque = lines.computeIfAbsent(agentId, id -> new ArrayDeque<>());
    synchronized (deque) {
      deque.addLast("[reef] " + line);
      while (deque.size() > KEEP) {
        deque.removeFirst();
      }
    }
  }

  List<String> lines(UUID agentId) {
    Deque<String> deque = lines.get(agentId);
    if (deque == null) {
      return List.of();
    }
    synchronized (deque) {
      return List.copyOf(deque);
    }
  }

  void forget(UUID agentId) {
    lines.remove(agentId);
  }
}
