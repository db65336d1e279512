package dev.reef.gateway.internal.proxy;

import dev.reef.gateway.LlmActivity;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Counts each agent's calls in flight through this replica and remembers when it last called. */
@Component
final class ActivityTracker implements LlmActivity {

  private final ConcurrentHashMap<UUID, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<UUID, Instant> last = new ConcurrentHashMap<>();
  private final Clock clock;

  ActivityTracker(Clock clock) {
    this.clock = clock;
  }

  void begin(UUID agentId) {
    inFlight.computeIfAbsent(agentId, id -> new AtomicInteger()).incrementAndGet();
    last.put(agentId, clock.instant());
  }

  void end(UUID agentId) {
    inFlight.computeIfPresent(agentId, (id, n) -> n.decrementAndGet() <= 0 ? null : n);
    last.put(agentId, clock.instant());
  }

  @Override
  public int inFlight(UUID agentId) {
    AtomicInteger n = inFlight.get(agentId);
    return n == null ? 0 : Math.max(0, n.get());
  }

  @Override
  public Optional<Instant> lastCall(UUID agentId) {
    return Optional.ofNullable(last.get(agentId));
  }
}
