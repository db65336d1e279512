package dev.reef.platform;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.Function;

/**
 * A cache of what the hot path reads from the database (API keys, tenants' limits, BYOK keys) that keeps serving
 * what it knew while the database cannot be reached, so LLM calls go on through a database outage.
 *
 * <p>Design note: with the database up it behaves as a plain expiring cache: an entry older than {@code fresh} is
 * loaded again, by the reader, so a change made on another replica shows within {@code fresh}. When a load fails
 * because the database is unreachable, the entry's old value is served instead, and for the next two seconds the
 * cache stops asking the database: one reader in a while pays the pool's short connection timeout, not every
 * reader. A key no one asked for before has no old value and fails at once with
 * {@link DatabaseOutage}. An entry nobody reads for an hour is dropped. Nothing can change in the database while it
 * is down, so the old values are as right as any.
 */
public final class OutageTolerantCache<K, V> {

  private static final Duration UNUSED_FOR = Duration.ofHours(1);
  private static final long OUTAGE_PAUSE_NANOS = Duration.ofSeconds(2).toNanos();

  private record Entry<V>(V value, long loadedAt) {}

  private final Cache<K, Entry<V>> entries;
  private final Function<K, V> load;
  private final long freshNanos;
  /** Until when (nanoTime) the database is taken to be down; 0: not known to be. */
  private volatile long databaseDownUntil;

  public OutageTolerantCache(Duration fresh, long maximumSize, Function<K, V> load) {
    this.entries = Caffeine.newBuilder().expireAfterAccess(UNUSED_FOR).maximumSize(maximumSize).build();
    this.load = load;
    this.freshNanos = fresh.toNanos();
  }

  /**
   * The value, loaded when missing or older than {@code fresh}.
   *
   * @throws dev.reef.common.ProblemException ({@code database-unavailable}) when it must be loaded and the database
   *     cannot be reached
   */
  public V get(K key) {
    Entry<V> known = entries.getIfPresent(key);
    long now = System.nanoTime();
    if (known != null && (now - known.loadedAt < freshNanos || databaseKnownDown(now))) {
      return known.value;
    }
    if (known == null && databaseKnownDown(now)) {
      throw DatabaseOutage.problem();
    }
    // One load per key at a time; a reader that waited finds the fresh value another one loaded.
    return entries.asMap().compute(key, (k, current) -> {
      long at = System.nanoTime();
      if (current != null && current != known && at - current.loadedAt < freshNanos) {
        return current;
      }
      try {
        return new Entry<>(load.apply(k), at);
      } catch (RuntimeException e) {
        if (!DatabaseOutage.causedBy(e)) {
          throw e;
        }
        databaseDownUntil = at + OUTAGE_PAUSE_NANOS;
        if (current == null) {
          throw DatabaseOutage.problem();
        }
        return current;
      }
    }).value;
  }

  public void invalidate(K key) {
    entries.invalidate(key);
  }

  public void invalidateAll() {
    entries.invalidateAll();
  }

  private boolean databaseKnownDown(long now) {
    long until = databaseDownUntil;
    return until != 0 && now - until < 0;
  }
}
