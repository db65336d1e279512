package dev.reef.gateway.internal.proxy;

import dev.reef.gateway.LlmActivity;
import dev.reef.gateway.LlmActivity.Failure;
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
  private final ConcurrentHashMap<UUID, java.util.concurrent.ConcurrentLinkedDeque<Failure>> failures =
      new ConcurrentHashMap<>();
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

  /** A call failed: kept (the last few) until the agent's next successful call. */
  void failed(UUID agentId, int status, String code, String message, boolean byok) {
    java.util.concurrent.ConcurrentLinkedDeque<Failure> kept = failures.computeIfAbsent(agentId,
        id -> new java.util.concurrent.ConcurrentLinkedDeque<>());
    kept.addLast(new Failure(clock.instant(), status, code, message, byok));
    while (kept.size() > 10) {
      kept.pollFirst();
    }
  }

  /** A call succeeded: the failures before it no longer say anything about the provider. */
  void succeeded(UUID agentId) {
    failures.remove(agentId);
  }

  @Override
  public java.util.List<Failure> failuresSince(UUID agentId, Instant since) {
    java.util.concurrent.ConcurrentLinkedDeque<Failure> kept = failures.get(agentId);
    return kept == null ? java.util.List.of() : kept.stream().filter(f -> !f.at().isBefore(since)).toList();
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
