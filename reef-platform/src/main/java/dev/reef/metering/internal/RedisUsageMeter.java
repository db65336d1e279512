package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException.Kind;
import dev.reef.metering.MeterLimits;
import dev.reef.metering.MeterSnapshot;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.Reservation;
import dev.reef.metering.Usage;
import dev.reef.metering.UsageMeter;
import dev.reef.metering.internal.RedisMeterStore.Script;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared meter: every replica checks and updates the same counters in Redis, each operation one Lua script, so
 * a limit holds across replicas exactly as on one (never "local memory check, then write Redis").
 *
 * <p>Design note: windows and leases use Redis's clock ({@code TIME}), not the replica's. A reservation is a lease
 * kept in the tenant's lease set; every script first purges expired leases and gives their holds back, so a replica
 * that dies mid-request leaks nothing for longer than the lease. When a month has no counters (a Redis without
 * persistence restarted, or an idle tenant's keys expired) the reply asks for seeding; the month's totals are read
 * from the durable ledger and written with a set-once flag, so concurrent seeders count it once.
 *
 * <p>When Redis cannot be reached, {@code reserve} fails closed or open ({@link MeterProperties.FailMode}). A settle
 * or release that cannot reach Redis, and the usage of calls admitted unmetered, are queued and applied by a
 * background reconciler once Redis answers again. Each is also in the ledger (fail-open calls with
 * {@code metered=false}), from which a month seeded later recovers them.
 */
final class RedisUsageMeter implements UsageMeter, MeterProbe, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisUsageMeter.class);
  /** Counters of a month nobody touches for this long expire; the ledger seeds them again if needed. */
  static final Duration MONTH_TTL = Duration.ofDays(3);
  private static final int MAX_PENDING = 100_000;
  private static final int SEED_ATTEMPTS = 3;

  private final RedisMeterStore store;
  private final RedisKeys keys;
  private final LedgerTotals ledger;
  private final Clock clock;
  private final Duration lease;
  private final MeterProperties.FailMode failMode;
  private final LongSupplier timeShiftMillis;
  private final Deque<PendingWrite> pending = new ConcurrentLinkedDeque<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final AtomicBoolean reachable = new AtomicBoolean(true);
  private final ReentrantLock reconciling = new ReentrantLock();
  private final ScheduledExecutorService reconciler;

  /** A write that could not reach Redis yet. */
  sealed interface PendingWrite {}

  record PendingSettle(Reservation reservation, Usage actual) implements PendingWrite {}

  record PendingRelease(Reservation reservation) implements PendingWrite {}

  /** Usage of a call admitted unmetered, settled at {@code settledAtMillis} (the reconciler's dedup key). */
  record PendingCharge(TenantId tenantId, YearMonth month, long micros, long tokens, long settledAtMillis)
      implements PendingWrite {}

  /**
   * @param timeShiftMillis added to Redis's clock by the scripts; always 0 except in tests, which move time forward
   *     with it as they would with a fake {@link Clock}
   * @param reconcileEvery how often queued writes are retried; null starts no background reconciler (tests call
   *     {@link #reconcile()})
   */
  RedisUsageMeter(RedisMeterStore store, RedisKeys keys, LedgerTotals ledger, Clock clock, Duration lease,
      MeterProperties.FailMode failMode, LongSupplier timeShiftMillis, Duration reconcileEvery) {
    this.store = store;
    this.keys = keys;
    this.ledger = ledger;
    this.clock = clock;
    this.lease = lease;
    this.failMode = failMode;
    this.timeShiftMillis = timeShiftMillis;
    if (reconcileEvery == null) {
      this.reconciler = null;
    } else {
      this.reconciler = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("reef-meter-reconciler").factory());
      long millis = reconcileEvery.toMillis();
      reconciler.scheduleWithFixedDelay(this::reconcileQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public String implementation() {
    return MeterType.REDIS.value();
  }

  @Override
  public void ping() {
    store.ping();
  }

  @Override
  public Reservation reserve(TenantId tenantId, MeterLimits limits, Estimate estimate) {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(estimate, "estimate");
    String id = UUID.randomUUID().toString();
    List<String> args = args(tenantId, id, estimate.costMicros(), estimate.tokens(),
        estimate.countsAgainstBudget() ? 1 : 0, cap(limits.monthlyBudgetMicros()), cap(limits.monthlyTokens()),
        cap(limits.requestsPerMinute()), cap(limits.tokensPerMinute()), cap(limits.maxConcurrentRequests()),
        lease.toMillis(), MONTH_TTL.toMillis());
    try {
      for (int attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
        Reply reply = run(Script.RESERVE, keys.reservationKeys(tenantId), args);
        switch (reply.status()) {
          case "ok" -> {
            return new Reservation(id, tenantId, YearMonth.parse(reply.text(1)),
                Instant.ofEpochMilli(reply.number(2)), estimate, true);
          }
          case "refused" -> throw CapCheck.refusal(Kind.valueOf(reply.text(1)),
              Instant.ofEpochMilli(reply.number(2)));
          case "seed" -> seed(tenantId, YearMonth.parse(reply.text(1)));
          default -> throw new IllegalStateException("Unexpected reserve reply " + reply);
        }
      }
      throw new IllegalStateException("The month's counters vanished while seeding them " + SEED_ATTEMPTS + " times");
    } catch (RedisMeterStore.UnavailableException | SeedingFailedException e) {
      return failMode.whenUnavailable(tenantId, estimate, clock.instant(), e);
    }
  }

  @Override
  public void settle(Reservation reservation, Usage actual) {
    Objects.requireNonNull(actual, "actual");
    if (!reservation.metered()) {
      long micros = reservation.estimate().countsAgainstBudget() ? actual.costMicros() : 0;
      enqueue(new PendingCharge(reservation.tenantId(), reservation.month(), micros, actual.totalTokens(),
          clock.millis()));
      return;
    }
    applyOrQueue(new PendingSettle(reservation, actual));
  }

  @Override
  public void release(Reservation reservation) {
    if (reservation.metered()) {
      applyOrQueue(new PendingRelease(reservation));
    }
  }

  @Override
  public void keepAlive(Reservation reservation) {
    if (!reservation.metered()) {
      return;
    }
    try {
      run(Script.KEEP_ALIVE, keys.reservationKeys(reservation.tenantId()),
          args(reservation.tenantId(), reservation.id(), lease.toMillis()));
    } catch (RedisMeterStore.UnavailableException e) {
      // Nothing to queue: a lease that runs out meanwhile is given back, and its settle then changes nothing.
      log.debug("keepAlive of {} did not reach Redis", reservation.id(), e);
    }
  }

  @Override
  public MeterSnapshot snapshot(TenantId tenantId) {
    try {
      for (int attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
        Reply r = run(Script.SNAPSHOT, keys.reservationKeys(tenantId), args(tenantId));
        if (r.status().equals("seed")) {
          seed(tenantId, YearMonth.parse(r.text(1)));
          continue;
        }
        return new MeterSnapshot(YearMonth.parse(r.text(1)), r.number(2), r.number(3), r.number(4), r.number(5),
            r.number(6), r.number(7), r.number(8));
      }
      throw new IllegalStateException("The month's counters vanished while seeding them " + SEED_ATTEMPTS + " times");
    } catch (RedisMeterStore.UnavailableException | SeedingFailedException e) {
      throw new MeterUnavailableException("The usage meter's Redis cannot be reached", e);
    }
  }

  /** Writes queued while Redis was unreachable, oldest first. */
  List<PendingWrite> pendingWrites() {
    return new ArrayList<>(pending);
  }

  /** Applies queued writes in order until Redis fails again; returns how many were applied. One run at a time. */
  int reconcile() {
    reconciling.lock();
    try {
      int applied = 0;
      for (PendingWrite write; (write = pending.pollFirst()) != null; applied++) {
        pendingCount.decrementAndGet();
        try {
          apply(write);
        } catch (RedisMeterStore.UnavailableException e) {
          pending.addFirst(write);
          pendingCount.incrementAndGet();
          break;
        }
      }
      return applied;
    } finally {
      reconciling.unlock();
    }
  }

  private void reconcileQuietly() {
    try {
      int applied = reconcile();
      if (applied > 0) {
        log.info("Applied {} meter write(s) queued while Redis was unreachable", applied);
      }
    } catch (RuntimeException e) {
      log.warn("Meter reconciliation failed; will retry", e);
    }
  }

  private void applyOrQueue(PendingWrite write) {
    try {
      apply(write);
    } catch (RedisMeterStore.UnavailableException e) {
      enqueue(write);
    }
  }

  private void apply(PendingWrite write) {
    switch (write) {
      case PendingSettle(Reservation r, Usage actual) -> run(Script.SETTLE, keys.reservationKeys(r.tenantId()),
          args(r.tenantId(), r.id(), actual.costMicros(), actual.totalTokens(), MONTH_TTL.toMillis()));
      case PendingRelease(Reservation r) -> run(Script.RELEASE, keys.reservationKeys(r.tenantId()),
          args(r.tenantId(), r.id()));
      case PendingCharge c -> run(Script.CHARGE, List.of(keys.month(c.tenantId(), c.month())),
          args(c.tenantId(), c.micros(), c.tokens(), MONTH_TTL.toMillis(), c.settledAtMillis()));
    }
  }

  private void enqueue(PendingWrite write) {
    if (pendingCount.incrementAndGet() > MAX_PENDING) {
      pending.pollFirst();
      pendingCount.decrementAndGet();
      log.warn("More than {} meter writes are waiting for Redis; dropping the oldest (the ledger still has its "
          + "usage, and a month seeded later counts it)", MAX_PENDING);
    }
    pending.addLast(write);
  }

  /** Gives a month its starting counters from the ledger; a concurrent seeder may win, which is as good. */
  private void seed(TenantId tenantId, YearMonth month) {
    long seededAt = clock.millis();
    LedgerTotals.MonthTotals totals;
    try {
      totals = ledger.month(tenantId, month);
    } catch (RuntimeException e) {
      throw new SeedingFailedException(e);
    }
    run(Script.SEED, List.of(keys.month(tenantId, month)),
        args(tenantId, totals.spentMicros(), totals.tokens(), MONTH_TTL.toMillis(), seededAt));
  }

  private Reply run(Script script, List<String> scriptKeys, List<String> args) {
    try {
      Reply reply = new Reply(store.run(script, scriptKeys, args));
      if (reachable.compareAndSet(false, true)) {
        log.info("The usage meter's Redis answers again");
      }
      return reply;
    } catch (RedisMeterStore.UnavailableException e) {
      if (reachable.compareAndSet(true, false)) {
        log.warn("The usage meter's Redis is unreachable; failing {} ({})", failMode.name().toLowerCase(),
            e.getMessage());
      }
      throw e;
    }
  }

  /** Every script's ARGV starts with the tenant's key base and the time shift. */
  private List<String> args(TenantId tenantId, Object... rest) {
    List<String> args = new ArrayList<>(rest.length + 2);
    args.add(keys.base(tenantId));
    args.add(Long.toString(timeShiftMillis.getAsLong()));
    for (Object arg : rest) {
      args.add(String.valueOf(arg));
    }
    return args;
  }

  private static long cap(Long limit) {
    return limit == null ? -1 : limit;
  }

  @Override
  public void close() {
    if (reconciler != null) {
      reconciler.shutdownNow();
    }
    reconcileQuietly();
    store.close();
  }

  /** The ledger could not be read to seed a month: as bad as Redis being down. */
  private static final class SeedingFailedException extends RuntimeException {
    SeedingFailedException(RuntimeException cause) {
      super("The usage ledger cannot be read to seed the month's counters", cause);
    }
  }

  /** A script's reply: a list whose first element is its status, or a single integer. */
  record Reply(Object value) {

    String status() {
      return value instanceof List<?> list ? String.valueOf(list.getFirst()) : String.valueOf(value);
    }

    String text(int index) {
      return String.valueOf(((List<?>) value).get(index));
    }

    long number(int index) {
      Object item = ((List<?>) value).get(index);
      return item instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(item));
    }
  }
}
