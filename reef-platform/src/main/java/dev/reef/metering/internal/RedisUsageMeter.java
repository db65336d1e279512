package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException.Kind;
import dev.reef.metering.MeterLimits;
import dev.reef.metering.MeterSnapshot;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.Reservation;
import dev.reef.metering.SettlementFence;
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
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * kept in the tenant's lease set, which this replica renews for every call it has in flight (its heartbeat, every
 * fifth of the lease); every script first purges expired leases and gives their holds back, so the calls of a
 * replica that dies hold nothing for longer than the lease (15 s by default), however long the calls themselves
 * may take. A replica restarted under the same {@code REEF_REPLICA_ID} releases what its earlier life held at once.
 * A settle whose hold is gone (Redis was unreachable for longer than the lease) still charges the usage, and a
 * settle applied twice counts once (settled ids are kept for an hour).
 *
 * <p>A reservation Redis runs after its caller gave up (a frozen Redis answers late, and the caller has already
 * answered 503 or admitted the call unmetered) must hold nothing: each reserve carries its deadline on Redis's
 * clock, and a late one holds nothing; a timed-out reserve is also released afterwards, which is idempotent.
 *
 * <p>When a month has no counters (a Redis without
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
  private final SettlementFence fence;
  private final Clock clock;
  private final Duration lease;
  private final MeterProperties.FailMode failMode;
  private final LongSupplier timeShiftMillis;
  private final Deque<PendingWrite> pending = new ConcurrentLinkedDeque<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final AtomicBoolean reachable = new AtomicBoolean(true);
  private final ReentrantLock reconciling = new ReentrantLock();
  private final ScheduledExecutorService reconciler;
  private final String owner;
  /** This replica's metered reservations in flight, which it renews: reservation id to tenant. */
  private final Map<String, TenantId> inFlight = new ConcurrentHashMap<>();
  /**
   * Redis's clock minus this host's (milliseconds, without the tests' time shift), learnt from quick replies, so a
   * reserve's deadline can be given on Redis's clock; {@link Long#MIN_VALUE} until the first quick reply.
   */
  private volatile long redisClockOffsetMillis = Long.MIN_VALUE;
  /** Only a reply this quick teaches the clock offset: the error is at most half of it. */
  private static final long OFFSET_RTT_MILLIS = 20;

  /** A write that could not reach Redis yet. */
  sealed interface PendingWrite {}

  /**
   * @param attemptedAt when the settle first failed to reach Redis, on Redis's clock as best known (epoch ms); -1
   *     while it has not failed
   */
  record PendingSettle(Reservation reservation, Usage actual, long attemptedAt) implements PendingWrite {}

  record PendingRelease(Reservation reservation) implements PendingWrite {}

  /** Usage of a call admitted unmetered; its reservation's id makes the charge count once. */
  record PendingCharge(TenantId tenantId, YearMonth month, String reservationId, long micros, long tokens)
      implements PendingWrite {}

  /**
   * @param owner this replica, as its holds name it
   * @param ownerOutlivesRestarts true when {@code owner} is this replica's configured id, which a restart keeps: what
   *     it holds in Redis now was held by an earlier life of it, and is released at once
   * @param timeShiftMillis added to Redis's clock by the scripts; always 0 except in tests, which move time forward
   *     with it as they would with a fake {@link Clock}
   * @param reconcileEvery how often queued writes are retried; null starts no background work (tests call
   *     {@link #reconcile()} and {@link #renew()})
   */
  RedisUsageMeter(RedisMeterStore store, RedisKeys keys, LedgerTotals ledger, SettlementFence fence, Clock clock,
      Duration lease, MeterProperties.FailMode failMode, String owner, boolean ownerOutlivesRestarts,
      LongSupplier timeShiftMillis, Duration reconcileEvery) {
    this.store = store;
    this.keys = keys;
    this.ledger = ledger;
    this.fence = fence;
    this.clock = clock;
    this.lease = lease;
    this.failMode = failMode;
    this.owner = owner;
    this.timeShiftMillis = timeShiftMillis;
    if (ownerOutlivesRestarts) {
      releaseEarlierLife();
    }
    if (reconcileEvery == null) {
      this.reconciler = null;
    } else {
      this.reconciler = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("reef-meter-reconciler").factory());
      long millis = reconcileEvery.toMillis();
      reconciler.scheduleWithFixedDelay(this::reconcileQuietly, millis, millis, TimeUnit.MILLISECONDS);
      long renewEvery = Math.max(100, lease.toMillis() / 5);
      reconciler.scheduleWithFixedDelay(this::renewQuietly, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
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
    try {
      try {
        return reserveOnce(tenantId, limits, estimate);
      } catch (RedisMeterStore.UnavailableException e) {
        if (!e.timedOut()) {
          throw e;
        }
        // Once more, under a new id: a stall (a pause of this JVM or of Redis) is usually over by now, and the
        // first attempt can never hold anything (it is released, and Redis refuses it past its deadline).
        return reserveOnce(tenantId, limits, estimate);
      }
    } catch (RedisMeterStore.UnavailableException | SeedingFailedException e) {
      return failMode.whenUnavailable(tenantId, estimate, clock.instant(), e);
    }
  }

  private Reservation reserveOnce(TenantId tenantId, MeterLimits limits, Estimate estimate) {
    String id = UUID.randomUUID().toString();
    for (int attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
      long sentAt = System.currentTimeMillis();
      Reply reply;
      try {
        reply = run(Script.RESERVE, keys.reservationKeys(tenantId), args(tenantId, id, estimate.costMicros(),
            estimate.tokens(), estimate.countsAgainstBudget() ? 1 : 0, cap(limits.monthlyBudgetMicros()),
            cap(limits.monthlyTokens()), cap(limits.requestsPerMinute()), cap(limits.tokensPerMinute()),
            cap(limits.maxConcurrentRequests()), lease.toMillis(), MONTH_TTL.toMillis(), owner,
            deadline(sentAt)));
      } catch (RedisMeterStore.UnavailableException e) {
        if (e.timedOut()) {
          // Redis may still run it (frozen, not gone): make sure it holds nothing once it does.
          enqueue(new PendingRelease(new Reservation(id, tenantId, null, null, estimate, true)));
        }
        throw e;
      }
      learnClock(reply, sentAt);
      switch (reply.status()) {
        case "ok" -> {
          inFlight.put(id, tenantId);
          return new Reservation(id, tenantId, YearMonth.parse(reply.text(1)),
              Instant.ofEpochMilli(reply.number(2)), estimate, true);
        }
        case "refused" -> throw CapCheck.refusal(Kind.valueOf(reply.text(1)),
            Instant.ofEpochMilli(reply.number(2)));
        case "seed" -> seed(tenantId, YearMonth.parse(reply.text(1)));
        case "late" -> throw new RedisMeterStore.UnavailableException(
            "Redis ran the reservation after its caller had given up waiting", null);
        default -> throw new IllegalStateException("Unexpected reserve reply " + reply);
      }
    }
    throw new IllegalStateException("The month's counters vanished while seeding them " + SEED_ATTEMPTS + " times");
  }

  /**
   * Runs the read-only snapshot script a few hundred times for a tenant that does not exist, before Reef serves, so
   * that the first burst of real calls meets warm code (the JIT's, Lettuce's, Netty's) instead of paying for it
   * within a command's 200 ms. Failures are ignored: Redis may well be down at start-up.
   */
  void warmUp(Duration allowed) {
    TenantId nobody = new TenantId(new UUID(0, 0));
    long deadline = System.nanoTime() + allowed.toNanos();
    for (int i = 0; i < 300 && System.nanoTime() - deadline < 0; i++) {
      try {
        store.run(Script.SNAPSHOT, keys.reservationKeys(nobody), args(nobody));
      } catch (RuntimeException e) {
        if (!(e instanceof RedisMeterStore.UnavailableException unavailable) || !unavailable.timedOut()) {
          return; // not there at all: nothing to warm
        }
      }
    }
  }

  /** When a reserve sent now stops being worth holding, on Redis's clock: when its caller stops waiting. */
  private long deadline(long sentAtMillis) {
    long offset = redisClockOffsetMillis;
    return offset == Long.MIN_VALUE ? -1
        : sentAtMillis + offset + timeShiftMillis.getAsLong() + store.timeout().toMillis() + OFFSET_RTT_MILLIS;
  }

  /** Every reserve reply ends with Redis's clock; a quick one tells the offset between the two clocks. */
  private void learnClock(Reply reply, long sentAtMillis) {
    long receivedAt = System.currentTimeMillis();
    if (receivedAt - sentAtMillis <= OFFSET_RTT_MILLIS) {
      redisClockOffsetMillis = reply.lastNumber() - timeShiftMillis.getAsLong() - (sentAtMillis + receivedAt) / 2;
    }
  }

  @Override
  public void settle(Reservation reservation, Usage actual) {
    Objects.requireNonNull(actual, "actual");
    inFlight.remove(reservation.id());
    if (!reservation.metered()) {
      long micros = reservation.estimate().countsAgainstBudget() ? actual.costMicros() : 0;
      enqueue(new PendingCharge(reservation.tenantId(), reservation.month(), reservation.id(), micros,
          actual.totalTokens()));
      return;
    }
    applyOrQueue(new PendingSettle(reservation, actual, -1));
  }

  @Override
  public void release(Reservation reservation) {
    inFlight.remove(reservation.id());
    if (reservation.metered()) {
      applyOrQueue(new PendingRelease(reservation));
    }
  }

  /**
   * Renews the lease of every reservation this replica has in flight, one script per tenant: the replica's
   * heartbeat. Returns how many leases were renewed. When Redis cannot be reached nothing is renewed, and the
   * leases run out as a dead replica's would; the settles that follow still charge what the calls used.
   */
  int renew() {
    Map<TenantId, List<String>> byTenant = new java.util.HashMap<>();
    inFlight.forEach((id, tenant) -> byTenant.computeIfAbsent(tenant, t -> new ArrayList<>()).add(id));
    int renewed = 0;
    for (Map.Entry<TenantId, List<String>> tenant : byTenant.entrySet()) {
      List<String> args = args(tenant.getKey(), lease.toMillis());
      args.addAll(tenant.getValue());
      renewed += (int) run(Script.RENEW, keys.reservationKeys(tenant.getKey()), args).number();
    }
    return renewed;
  }

  private void renewQuietly() {
    try {
      renew();
    } catch (RedisMeterStore.UnavailableException e) {
      log.debug("Could not renew this replica's reservations: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.warn("Renewing this replica's reservations failed; will retry", e);
    }
  }

  /** Releases every hold an earlier life of this replica left in Redis (it is gone, and so are its calls). */
  private void releaseEarlierLife() {
    try {
      long released = 0;
      for (String holds : store.keys(keys.allHolds())) {
        String base = RedisKeys.baseOfHolds(holds);
        released += new Reply(store.run(Script.RELEASE_OWNED, RedisKeys.reservationKeys(base),
            List.of(base, Long.toString(timeShiftMillis.getAsLong()), owner))).number();
      }
      if (released > 0) {
        log.info("Released {} reservation(s) held by this replica ({}) before it restarted", released, owner);
      }
    } catch (RedisMeterStore.UnavailableException e) {
      log.warn("Could not release what this replica held before it restarted ({}); its leases run out instead",
          e.getMessage());
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
      enqueue(write instanceof PendingSettle(Reservation r, Usage actual, long never) && never < 0
          ? new PendingSettle(r, actual, redisNowEstimate()) : write);
    }
  }

  /** Redis's clock now, as well as this replica knows it. */
  private long redisNowEstimate() {
    long offset = redisClockOffsetMillis;
    return System.currentTimeMillis() + (offset == Long.MIN_VALUE ? 0 : offset) + timeShiftMillis.getAsLong();
  }

  private void apply(PendingWrite write) {
    switch (write) {
      case PendingSettle(Reservation r, Usage actual, long attemptedAt) -> run(Script.SETTLE,
          keys.reservationKeys(r.tenantId()), args(r.tenantId(), r.id(), actual.costMicros(), actual.totalTokens(),
              MONTH_TTL.toMillis(), r.month(), r.estimate().countsAgainstBudget() ? 1 : 0, attemptedAt));
      case PendingRelease(Reservation r) -> run(Script.RELEASE, keys.reservationKeys(r.tenantId()),
          args(r.tenantId(), r.id()));
      case PendingCharge c -> {
        List<String> chargeKeys = List.of(keys.month(c.tenantId(), c.month()), keys.base(c.tenantId()) + "finished");
        List<String> chargeArgs = args(c.tenantId(), c.reservationId(), c.micros(), c.tokens(), MONTH_TTL.toMillis());
        if (run(Script.CHARGE, chargeKeys, chargeArgs).number() < 0) {
          try {
            seed(c.tenantId(), c.month()); // the month has no counters yet (Redis lost them): give it its seed first
          } catch (SeedingFailedException e) {
            throw new RedisMeterStore.UnavailableException("The month cannot be seeded yet", e);
          }
          run(Script.CHARGE, chargeKeys, chargeArgs);
        }
      }
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

  /**
   * Gives a month its starting counters from the ledger's metered calls (unmetered ones count through their charges);
   * a concurrent seeder may win, which is as good. Inside the settlement fence, so that no call of this replica
   * finishes between the ledger read and the seed: each is in the one or settles into the other.
   */
  private void seed(TenantId tenantId, YearMonth month) {
    fence.seeding(() -> {
      // Reserves racing here all found the month without counters; the first through the fence seeds it, and the
      // others need not flush the journal and read the ledger again to have their seed refused.
      Reply current = run(Script.SNAPSHOT, keys.reservationKeys(tenantId), args(tenantId));
      if (!current.status().equals("seed") && current.text(1).equals(month.toString())) {
        return current;
      }
      LedgerTotals.MonthTotals totals;
      try {
        totals = ledger.month(tenantId, month, true);
      } catch (RuntimeException e) {
        throw new SeedingFailedException(e);
      }
      return run(Script.SEED, List.of(keys.month(tenantId, month)),
          args(tenantId, totals.spentMicros(), totals.tokens(), MONTH_TTL.toMillis()));
    });
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

  /** Stops renewing; calls still in flight at this point lose their holds when the leases run out. */
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

    /** A single-integer reply (which Lettuce may hand over as a one-element list). */
    long number() {
      return value instanceof List<?> ? number(0)
          : value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    /** The last element of a list reply: every reserve reply ends with Redis's clock. */
    long lastNumber() {
      return number(((List<?>) value).size() - 1);
    }

    long number(int index) {
      Object item = ((List<?>) value).get(index);
      return item instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(item));
    }
  }
}
