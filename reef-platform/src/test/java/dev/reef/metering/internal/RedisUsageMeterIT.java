package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reef.common.TenantId;
import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException;
import dev.reef.metering.LimitExceededException.Kind;
import dev.reef.metering.MeterLimits;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.Reservation;
import dev.reef.metering.SettlementFence;
import dev.reef.metering.Usage;
import dev.reef.metering.UsageMeter;
import dev.reef.metering.MeterSnapshot;
import dev.reef.testing.OwnRedis;
import dev.reef.testing.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/**
 * The contract against a real Redis, plus what only a shared store has: several replicas, Redis's own clock, key
 * layout and expiry, and the fail modes when Redis is unreachable or silent. Each test has its own key prefix.
 */
class RedisUsageMeterIT extends UsageMeterContract {

  /** Generous: the contract tests semantics on a busy 2-core machine, not timeouts (those are tested below). */
  private static final Duration TEST_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration LEASE = Duration.ofSeconds(15);

  private final String prefix = TestRedis.uniquePrefix();
  private final AtomicLong shiftMillis = new AtomicLong();
  private final FakeClock clock = new FakeClock(Instant.now());
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void requireRedis() {
    TestRedis.require();
  }

  /** Starts every test one second into a minute of Redis's (shifted) clock. */
  @BeforeEach
  void alignToMinute() {
    long redisNow = TestRedis.withCommands(redis -> {
      List<String> time = redis.time();
      return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    });
    long shift = 60_000 - redisNow % 60_000 + 1_000;
    shiftMillis.set(shift);
    clock.advance(Duration.ofMillis(shift));
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    TestRedis.deleteKeys(prefix);
  }

  @Override
  UsageMeter newMeter() {
    return meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED);
  }

  @Override
  UsageMeter anotherReplica() {
    return newMeter();
  }

  @Override
  void advance(Duration by) {
    shiftMillis.addAndGet(by.toMillis());
    clock.advance(by);
  }

  @Override
  Instant now() {
    return Instant.ofEpochMilli(System.currentTimeMillis() + shiftMillis.get());
  }

  private RedisUsageMeter meter(String url, Duration timeout, Duration lease, MeterProperties.FailMode failMode) {
    return meter(url, timeout, lease, failMode, "process-" + java.util.UUID.randomUUID(), false);
  }

  private RedisUsageMeter meter(String url, Duration timeout, Duration lease, MeterProperties.FailMode failMode,
      String owner, boolean ownerOutlivesRestarts) {
    RedisMeterStore store = new RedisMeterStore(url, timeout);
    store.warmUp(Duration.ofSeconds(2)); // as Reef's start-up does
    RedisUsageMeter meter = new RedisUsageMeter(store, new RedisKeys(prefix), ledger, new SettlementFence(),
        clock, lease, failMode, owner, ownerOutlivesRestarts, shiftMillis::get, null);
    opened.add(meter);
    return meter;
  }

  @Test
  void twoReplicas_enforceOneConcurrencyCapAndOneBudget() throws Exception {
    UsageMeter a = newMeter();
    UsageMeter b = newMeter();
    MeterLimits two = concurrency(2);
    Reservation first = a.reserve(tenant, two, ESTIMATE);
    b.reserve(tenant, two, ESTIMATE);
    assertThat(kindOf(() -> a.reserve(tenant, two, ESTIMATE))).isEqualTo(Kind.CONCURRENCY);
    assertThat(kindOf(() -> b.reserve(tenant, two, ESTIMATE))).isEqualTo(Kind.CONCURRENCY);
    a.release(first);
    assertThat(b.reserve(tenant, two, ESTIMATE).metered()).isTrue();

    MeterLimits budget = limits(5 * ESTIMATE.costMicros(), null, null, null, null);
    AtomicInteger admitted = new AtomicInteger();
    TenantId other = TenantId.random();
    runConcurrently(100, i -> {
      try {
        (i % 2 == 0 ? a : b).reserve(other, budget, ESTIMATE);
        admitted.incrementAndGet();
      } catch (LimitExceededException e) {
        assertThat(e.kind()).isEqualTo(Kind.MONTHLY_BUDGET);
      }
      return null;
    });
    assertThat(admitted).hasValue(5);
    assertThat(a.snapshot(other).reservedMicros()).isEqualTo(b.snapshot(other).reservedMicros())
        .isEqualTo(5 * ESTIMATE.costMicros());
  }

  /**
   * LiteLLM keeps token and request windows in each replica's memory, so N replicas admit N times the limit. Here
   * two replicas racing for one tenant's windows admit exactly what each cap holds, and both see the same counters.
   */
  @Test
  void twoReplicas_shareTheTokenAndRequestWindows() throws Exception {
    UsageMeter a = newMeter();
    UsageMeter b = newMeter();
    // ESTIMATE is 100 tokens: each cap below holds exactly 7 requests
    assertRacingReplicasAdmit(a, b, limits(null, null, null, 700L, null), 7, Kind.TOKENS_PER_MINUTE);
    assertRacingReplicasAdmit(a, b, limits(null, null, 7L, null, null), 7, Kind.REQUESTS_PER_MINUTE);
    assertRacingReplicasAdmit(a, b, limits(null, 700L, null, null, null), 7, Kind.MONTHLY_TOKENS);
  }

  private void assertRacingReplicasAdmit(UsageMeter a, UsageMeter b, MeterLimits limits, int expected, Kind refusal)
      throws Exception {
    TenantId racing = TenantId.random();
    AtomicInteger admitted = new AtomicInteger();
    runConcurrently(40, i -> {
      try {
        (i % 2 == 0 ? a : b).reserve(racing, limits, ESTIMATE);
        admitted.incrementAndGet();
      } catch (LimitExceededException e) {
        assertThat(e.kind()).isEqualTo(refusal);
      }
      return null;
    });
    assertThat(admitted).as(refusal.code()).hasValue(expected);
    assertThat(a.snapshot(racing)).isEqualTo(b.snapshot(racing));
    assertThat(a.snapshot(racing).requestsThisMinute()).isEqualTo(expected);
  }

  @Test
  void deadHolder_realLeaseOnRedisClock_expires() {
    UsageMeter shortLease = meter(TestRedis.url(), TEST_TIMEOUT, Duration.ofSeconds(1), MeterProperties.FailMode.CLOSED);
    shortLease.reserve(tenant, concurrency(1), ESTIMATE);
    assertThat(kindOf(() -> shortLease.reserve(tenant, concurrency(1), ESTIMATE))).isEqualTo(Kind.CONCURRENCY);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> shortLease.snapshot(tenant).inFlight() == 0);
    assertThat(shortLease.reserve(tenant, concurrency(1), ESTIMATE).metered()).isTrue();
  }

  @Test
  void deadReplica_holdsRunOutWithTheLease_whileALiveReplicasAreRenewed() {
    RedisUsageMeter dead = meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED);
    RedisUsageMeter live = meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED);
    MeterLimits two = concurrency(2);
    dead.reserve(tenant, two, ESTIMATE);
    Reservation longCall = live.reserve(tenant, two, ESTIMATE);
    assertThat(kindOf(() -> live.reserve(tenant, two, ESTIMATE))).isEqualTo(Kind.CONCURRENCY);

    for (int i = 0; i < 20; i++) { // a minute of a long call, the live replica beating every 3 s as it does
      advance(Duration.ofSeconds(3));
      assertThat(live.renew()).isEqualTo(1);
    }
    assertThat(live.snapshot(tenant).inFlight()).as("the dead replica's hold ran out; the live one's did not")
        .isEqualTo(1);
    live.settle(longCall, new Usage(1, 1, 0, 300));
    assertThat(live.snapshot(tenant).spentMicros()).isEqualTo(300);
    assertThat(live.snapshot(tenant).inFlight()).isZero();
  }

  @Test
  void settleAfterTheLeaseRanOut_stillChargesWhatWasUsed_once() {
    RedisUsageMeter meter = meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED);
    Reservation r = meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
    advance(LEASE.plusSeconds(1)); // Redis was unreachable for longer than the lease: no renewal got through
    assertThat(meter.snapshot(tenant).inFlight()).isZero();
    assertThat(meter.snapshot(tenant).reservedMicros()).isZero();

    meter.settle(r, new Usage(10, 20, 0, 500));
    meter.settle(r, new Usage(10, 20, 0, 500));
    assertThat(meter.snapshot(tenant).spentMicros()).isEqualTo(500);
    assertThat(meter.snapshot(tenant).tokens()).isEqualTo(30);
    meter.release(r);
    assertThat(meter.snapshot(tenant).spentMicros()).isEqualTo(500);
  }

  @Test
  void restartedReplica_releasesWhatItsEarlierLifeHeld_atOnce_andNothingElse() {
    RedisUsageMeter earlierLife = meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED,
        "replica-x", true);
    RedisUsageMeter otherReplica = meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED,
        "replica-y", true);
    earlierLife.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
    earlierLife.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
    TenantId another = TenantId.random();
    earlierLife.reserve(another, MeterLimits.UNLIMITED, ESTIMATE);
    otherReplica.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
    assertThat(otherReplica.snapshot(tenant).inFlight()).isEqualTo(3);

    RedisUsageMeter restarted = meter(TestRedis.url(), TEST_TIMEOUT, LEASE, MeterProperties.FailMode.CLOSED,
        "replica-x", true); // kill -9, then the same REEF_REPLICA_ID starts again
    assertThat(restarted.snapshot(tenant).inFlight()).as("replica-y's call is still held").isEqualTo(1);
    assertThat(restarted.snapshot(tenant).reservedMicros()).isEqualTo(ESTIMATE.costMicros());
    assertThat(restarted.snapshot(another).inFlight()).isZero();
  }

  @Test
  void frozenRedis_runsTheReservationsItGotLate_andTheyHoldNothing() throws Exception {
    try (OwnRedis own = OwnRedis.start()) {
      RedisUsageMeter meter = meter(own.url(), Duration.ofMillis(200), LEASE, MeterProperties.FailMode.CLOSED);
      meter.settle(meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE), Usage.NONE); // seeds, learns the clock
      MeterLimits budget = limits(10_000L, null, null, null, null);

      own.freeze(); // SIGSTOP: connections stay open, commands queue up in Redis's socket
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> meter.reserve(tenant, budget, ESTIMATE))
            .isInstanceOf(MeterUnavailableException.class);
      }
      Thread.sleep(1_000);
      own.thaw(); // Redis runs the five reserves now, long after their callers answered 503

      await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> meter.snapshot(tenant).requestsThisMinute() >= 1);
      MeterSnapshot after = meter.snapshot(tenant);
      assertThat(after.inFlight()).as("no phantom holds").isZero();
      assertThat(after.reservedMicros()).isZero();
      assertThat(meter.reserve(tenant, budget, ESTIMATE).metered()).as("the whole budget is there").isTrue();
      reconcileUntilDone(meter); // the releases queued for the timed-out reserves change nothing
      assertThat(meter.snapshot(tenant).inFlight()).isEqualTo(1);
    }
  }

  @Test
  void freshReplica_firstBurst_isServedInFull_evenWhenConnectingIsSlow() throws Exception {
    // A Redis that takes half a second to complete a connection's handshake, as on a busy host at start-up: longer
    // than a command's timeout. The connection is opened at start-up, off any call's clock.
    try (TcpProxy slow = new TcpProxy(TestRedis.url())) {
      slow.delayNewConnections(Duration.ofMillis(500));
      RedisUsageMeter fresh = meter(slow.url(), Duration.ofMillis(200), LEASE, MeterProperties.FailMode.CLOSED);
      List<Reservation> admitted = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Throwable> refused = java.util.Collections.synchronizedList(new ArrayList<>());
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 200; i++) {
          pool.submit(() -> {
            try {
              admitted.add(fresh.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE));
            } catch (RuntimeException e) {
              refused.add(e);
            }
          });
        }
      }
      assertThat(refused).as("refused with Redis healthy").isEmpty();
      assertThat(admitted).hasSize(200).allMatch(Reservation::metered);
      assertThat(fresh.snapshot(tenant).inFlight()).isEqualTo(200);
    }
  }

  @Test
  void aStallLongerThanTheTimeout_isRetriedOnce_andHoldsOneReservation() throws Exception {
    try (OwnRedis own = OwnRedis.start()) {
      RedisUsageMeter meter = meter(own.url(), Duration.ofMillis(200), LEASE, MeterProperties.FailMode.CLOSED);
      meter.settle(meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE), Usage.NONE); // seeds, learns the clock

      own.freeze();
      var reserving = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE));
      Thread.sleep(300); // the first attempt times out at 200 ms; the second is sent while Redis is still stalled
      own.thaw();

      Reservation r = reserving.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.metered()).as("served, not refused, after a stall").isTrue();
      reconcileUntilDone(meter); // the first attempt's release
      MeterSnapshot after = meter.snapshot(tenant);
      assertThat(after.inFlight()).as("one hold: the late first attempt holds nothing").isEqualTo(1);
      assertThat(after.reservedMicros()).isEqualTo(ESTIMATE.costMicros());
    }
  }

  @Test
  void keys_shareTheTenantsHashTag_andAllExpire() {
    Reservation r = reserve(limits(1_000_000L, null, 100L, null, 10L));
    meter().settle(reserve(MeterLimits.UNLIMITED), new Usage(1, 1, 0, 1));

    List<String> keys = TestRedis.keys(prefix);
    assertThat(keys).isNotEmpty().allMatch(k -> k.startsWith(prefix + "{" + tenant + "}:"));
    assertThat(keys).anyMatch(k -> k.contains(":month:")).anyMatch(k -> k.contains(":minute:"))
        .anyMatch(k -> k.endsWith(":leases")).anyMatch(k -> k.endsWith(":holds"));
    for (String key : keys) {
      long ttl = TestRedis.withCommands(redis -> redis.pttl(key));
      assertThat(ttl).as("TTL of " + key).isPositive();
    }
    meter().release(r);
  }

  @Test
  void scriptsFlushedFromRedis_areLoadedAgain() {
    reserve(MeterLimits.UNLIMITED);
    TestRedis.withCommands(redis -> redis.scriptFlush());
    assertThat(reserve(MeterLimits.UNLIMITED).metered()).isTrue();
    assertThat(snapshot().inFlight()).isEqualTo(2);
  }

  @Test
  void health_isUpWithTheImplementationName() {
    MeterHealthIndicator health = new MeterHealthIndicator((MeterProbe) meter());
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(health.health().getDetails()).containsEntry("implementation", "redis");
  }

  @Test
  void unreachableRedis_failClosed_refusesAtOnce_andHealthIsDown() {
    RedisUsageMeter closed = meter("redis://127.0.0.1:1", Duration.ofMillis(200), LEASE,
        MeterProperties.FailMode.CLOSED);
    long started = System.nanoTime();
    assertThatThrownBy(() -> closed.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE))
        .isInstanceOf(MeterUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThatThrownBy(() -> closed.snapshot(tenant)).isInstanceOf(MeterUnavailableException.class);
    assertThat(new MeterHealthIndicator(closed).health().getStatus()).isEqualTo(Status.DOWN);
  }

  @Test
  void silentRedis_timesOutQuickly_failClosed() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      RedisUsageMeter closed = meter("redis://127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(200), LEASE,
          MeterProperties.FailMode.CLOSED);
      long started = System.nanoTime();
      assertThatThrownBy(() -> closed.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE))
          .isInstanceOf(MeterUnavailableException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void unreachableRedis_failOpen_admitsUnmetered() {
    RedisUsageMeter open = meter("redis://127.0.0.1:1", Duration.ofMillis(200), LEASE, MeterProperties.FailMode.OPEN);
    Reservation r = open.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
    assertThat(r.metered()).isFalse();
    assertThat(r.tenantId()).isEqualTo(tenant);
    open.settle(r, new Usage(5, 5, 0, 123));
    assertThat(open.pendingWrites()).containsExactly(
        new RedisUsageMeter.PendingCharge(tenant, r.month(), r.id(), 123, 10));
  }

  @Test
  void failOpen_usageOfUnmeteredCalls_isAppliedWhenRedisIsBack() throws Exception {
    try (TcpProxy proxy = new TcpProxy(TestRedis.url())) {
      RedisUsageMeter open = meter(proxy.url(), Duration.ofMillis(500), LEASE, MeterProperties.FailMode.OPEN);
      open.settle(open.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE), new Usage(1, 1, 0, 100)); // seeds the month
      clock.advance(Duration.ofSeconds(1));

      proxy.cut();
      Reservation unmetered = open.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
      assertThat(unmetered.metered()).isFalse();
      open.settle(unmetered, new Usage(10, 20, 0, 2_000));
      assertThat(open.reconcile()).as("nothing applies while Redis is unreachable").isZero();
      assertThat(open.pendingWrites()).hasSize(1);

      proxy.restore();
      reconcileUntilDone(open);
      assertThat(open.snapshot(tenant).spentMicros()).isEqualTo(2_100);
      assertThat(open.snapshot(tenant).tokens()).isEqualTo(32);
    }
  }

  @Test
  void settleThatCannotReachRedis_isQueued_andAppliedOnce() throws Exception {
    try (TcpProxy proxy = new TcpProxy(TestRedis.url())) {
      RedisUsageMeter meter = meter(proxy.url(), Duration.ofMillis(500), LEASE, MeterProperties.FailMode.CLOSED);
      Reservation r = meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);

      proxy.cut();
      meter.settle(r, new Usage(10, 10, 0, 400));
      meter.settle(r, new Usage(10, 10, 0, 400));
      assertThat(meter.pendingWrites()).hasSize(2);

      proxy.restore();
      reconcileUntilDone(meter);
      assertThat(meter.snapshot(tenant).spentMicros()).isEqualTo(400);
      assertThat(meter.snapshot(tenant).reservedMicros()).isZero();
      assertThat(meter.snapshot(tenant).inFlight()).isZero();
    }
  }

  @Test
  void largeAmounts_surviveLuaNumbers() {
    long micros = 123_456_789_012_345L; // beyond what Lua prints without an exponent
    Reservation r = meter().reserve(tenant, MeterLimits.UNLIMITED, new Estimate(9_000_000_000L, micros, true));
    assertThat(snapshot().reservedMicros()).isEqualTo(micros);
    meter().settle(r, new Usage(4_000_000_000L, 5_000_000_001L, 0, micros + 1));
    assertThat(snapshot().spentMicros()).isEqualTo(micros + 1);
    assertThat(snapshot().tokens()).isEqualTo(9_000_000_001L);
  }

  /** Runs the reconciler until its queue is empty (Lettuce reconnects on its own schedule once Redis is back). */
  private static void reconcileUntilDone(RedisUsageMeter meter) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
      meter.reconcile();
      return meter.pendingWrites().isEmpty();
    });
  }

  private static Kind kindOf(Runnable call) {
    try {
      call.run();
    } catch (LimitExceededException e) {
      return e.kind();
    }
    return null;
  }
}
