package dev.reef.orchestration.internal;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Wakes whoever waits on an agent's state (a chat waking it, an events follower) the moment this replica records a
 * change, instead of leaving them to poll the database.
 *
 * <p>Use: take a {@link #ticket} <em>before</em> reading the state, then {@link Ticket#await} it. A change recorded
 * after the ticket was taken opens it, so nothing slips between the read and the wait. Changes made by another
 * replica open no ticket here: waiters still re-read after {@code max}, so they see those within that time.
 */
@Component
final class StateChanges {

  private final ConcurrentHashMap<UUID, CountDownLatch> pending = new ConcurrentHashMap<>();

  /** A ticket that opens at the next change of this agent recorded by this replica. */
  Ticket ticket(UUID agentId) {
    return new Ticket(pending.computeIfAbsent(agentId, id -> new CountDownLatch(1)));
  }

  /** Called once a change of the agent's state is committed. */
  void changed(UUID agentId) {
    CountDownLatch latch = pending.remove(agentId);
    if (latch != null) {
      latch.countDown();
    }
  }

  /** One wait for the next change. */
  record Ticket(CountDownLatch latch) {
    /** Returns at the change, or after {@code max}, whichever is first; true if it was the change. */
    boolean await(Duration max) throws InterruptedException {
      return latch.await(max.toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
