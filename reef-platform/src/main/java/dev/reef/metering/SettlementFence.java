package dev.reef.metering;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Keeps the two halves of finishing a call - settling its reservation and recording it in the usage ledger - apart
 * from a meter seeding a month from the ledger on this replica, so that every call is counted exactly once: by the
 * seed (its record was in the ledger when the seed read it, and its settle came before the month had counters) or
 * by its settle (after), never both and never neither. Without it a seed could fall between the two.
 *
 * <p>Many calls finish at once (a shared read lock); a seed, which is rare (a new month, a Redis that lost its
 * data), waits for those in progress and holds the next ones for the few milliseconds it takes.
 */
@Component
public final class SettlementFence {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Runs the settle and the ledger record of one call. */
  public void finish(Runnable settleAndRecord) {
    lock.readLock().lock();
    try {
      settleAndRecord.run();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs a seed: no call finishes meanwhile. */
  public <T> T seeding(Supplier<T> seed) {
    lock.writeLock().lock();
    try {
      return seed.get();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
