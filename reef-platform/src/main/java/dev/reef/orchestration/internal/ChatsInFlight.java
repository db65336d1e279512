package dev.reef.orchestration.internal;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The chats this replica is relaying to each agent right now: an agent in a chat is not moved to another runtime
 * version (a restart would cut the reply off), even between two of its model calls.
 */
@Component
final class ChatsInFlight {

  private final ConcurrentHashMap<UUID, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** A chat being counted; closing it ends the count. */
  interface Chat extends AutoCloseable {
    @Override
    void close();
  }

  /** Counts a chat until the returned handle is closed. */
  Chat begin(UUID agentId) {
    counts.computeIfAbsent(agentId, id -> new AtomicInteger()).incrementAndGet();
    return () -> counts.computeIfPresent(agentId, (id, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  int of(UUID agentId) {
    AtomicInteger n = counts.get(agentId);
    return n == null ? 0 : n.get();
  }
}
