package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.reef.common.TenantId;
import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException;
import dev.reef.metering.LimitExceededException.Kind;
import dev.reef.metering.MeterLimits;
import dev.reef.metering.MeterSnapshot;
import dev.reef.metering.Reservation;
import dev.reef.metering.Usage;
import dev.reef.metering.UsageMeter;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What every {@link UsageMeter} must do, run against each implementation by a subclass. Time is moved with
 * {@link #advance} (a fake clock in process, a shift of Redis's clock for Redis), never by sleeping; each test
 * starts one second into a minute, so a test's requests do not straddle a window boundary by accident.
 */
abstract class UsageMeterContract {

  static final Estimate ESTIMATE = new Estimate(100, 1_000, true);

  final TenantId tenant = TenantId.random();
  /** The durable ledger's month totals, which the meters seed from; empty unless a test says otherwise. */
  final Map<String, LedgerTotals.MonthTotals> ledgerMonths = new ConcurrentHashMap<>();
  final AtomicInteger ledgerReads = new AtomicInteger();
  final LedgerTotals ledger = (t, month, meteredOnly) -> {
    ledgerReads.incrementAndGet();
    return ledgerMonths.getOrDefault(t + "/" + month, LedgerTotals.MonthTotals.NONE);
  };
  private UsageMeter meter;

  /** A new meter on this test's store, seeding from {@link #ledger}. */
  abstract UsageMeter newMeter();

  /** Another replica's view of the same counters: the same meter in process, another instance for Redis. */
  abstract UsageMeter anotherReplica();

  /** Moves the meters' time forward. */
  abstract void advance(Duration by);

  /** The meters' time now. */
  abstract Instant now();

  /** Created on first use (the subclass's store is set up by then); synchronized, as test threads race to it. */
  synchronized UsageMeter meter() {
    if (meter == null) {
      meter = newMeter();
    }
    return meter;
  }

  static MeterLimits limits(Long budgetMicros, Long monthlyTokens, Long rpm, Long tpm, Long concurrent) {
    return new MeterLimits(budgetMicros, monthlyTokens, rpm, tpm, concurrent);
  }

  static MeterLimits concurrency(long max) {
    return limits(null, null, null, null, max);
  }

  Reservation reserve(MeterLimits limits) {
    return meter().reserve(tenant, limits, ESTIMATE);
  }

  LimitExceededException refused(MeterLimits limits, Estimate estimate) {
    return catchThrowableOfType(LimitExceededException.class, () -> meter().reserve(tenant, limits, estimate));
  }

  MeterSnapshot snapshot() {
    return meter().snapshot(tenant);
  }

  @Test
  void reserve_withinLimits_holdsTheEstimate() {
    Reservation r = reserve(limits(10_000L, 10_000L, 10L, 10_000L, 2L));

    assertThat(r.metered()).isTrue();
    assertThat(r.tenantId()).isEqualTo(tenant);
    assertThat(r.month()).isEqualTo(MeterWindows.month(now()));
    assertThat(r.minute()).isEqualTo(MeterWindows.minute(now()));
    assertThat(snapshot()).isEqualTo(new MeterSnapshot(MeterWindows.month(now()), 0, 1_000, 0, 100, 1, 1, 100));
  }

  @Test
  void settle_replacesTheEstimateWithTheActualUsage() {
    Reservation r = reserve(MeterLimits.UNLIMITED);
    meter().settle(r, new Usage(30, 20, 10, 700));

    MeterSnapshot s = snapshot();
    assertThat(s.spentMicros()).isEqualTo(700);
    assertThat(s.reservedMicros()).isZero();
    assertThat(s.tokens()).isEqualTo(50);
    assertThat(s.reservedTokens()).isZero();
    assertThat(s.inFlight()).isZero();
    assertThat(s.tokensThisMinute()).as("corrected from the estimate's 100").isEqualTo(50);
    assertThat(s.requestsThisMinute()).isEqualTo(1);
  }

  @Test
  void settle_actualAboveTheEstimate_isRecordedInFull() {
    Reservation r = reserve(limits(1_500L, null, null, null, null));
    meter().settle(r, new Usage(400, 600, 0, 5_000));

    assertThat(snapshot().spentMicros()).isEqualTo(5_000);
    assertThat(snapshot().tokens()).isEqualTo(1_000);
    assertThat(refused(limits(1_500L, null, null, null, null), ESTIMATE).kind()).isEqualTo(Kind.MONTHLY_BUDGET);
  }

  @Test
  void settleAndRelease_secondCall_changesNothing() {
    Reservation r = reserve(MeterLimits.UNLIMITED);
    meter().settle(r, new Usage(10, 10, 0, 500));
    meter().settle(r, new Usage(10, 10, 0, 500));
    meter().release(r);
    Reservation other = reserve(MeterLimits.UNLIMITED);
    meter().release(other);
    meter().release(other);
    meter().settle(other, new Usage(10, 10, 0, 500));

    MeterSnapshot s = snapshot();
    assertThat(s.spentMicros()).isEqualTo(500);
    assertThat(s.tokens()).isEqualTo(20);
    assertThat(s.reservedMicros()).isZero();
    assertThat(s.inFlight()).isZero();
  }

  @Test
  void release_dropsTheHold_butTheRequestStillCountsInItsMinute() {
    Reservation r = reserve(MeterLimits.UNLIMITED);
    meter().release(r);

    MeterSnapshot s = snapshot();
    assertThat(s.spentMicros()).isZero();
    assertThat(s.reservedMicros()).isZero();
    assertThat(s.reservedTokens()).isZero();
    assertThat(s.inFlight()).isZero();
    assertThat(s.tokensThisMinute()).isZero();
    assertThat(s.requestsThisMinute()).isEqualTo(1);
  }

  @Test
  void budget_countsHeldEstimates_andRefusesUntilNextMonth() {
    MeterLimits budget = limits(2_500L, null, null, null, null);
    reserve(budget);
    reserve(budget);

    LimitExceededException e = refused(budget, ESTIMATE);
    assertThat(e.kind()).isEqualTo(Kind.MONTHLY_BUDGET);
    assertThat(e.kind().code()).isEqualTo("budget_exceeded");
    Duration toNextMonth = Duration.between(now(), MeterWindows.monthStart(MeterWindows.month(now()).plusMonths(1)));
    assertThat(e.retryAfter()).isBetween(toNextMonth.minusSeconds(5), toNextMonth.plusSeconds(5));
    assertThat(snapshot().reservedMicros()).as("a refusal holds nothing").isEqualTo(2_000);
  }

  @Test
  void budget_ignoresEstimatesThatDoNotCountAgainstIt() {
    MeterLimits budget = limits(500L, null, null, null, null);
    Reservation byok = meter().reserve(tenant, budget, new Estimate(100, 1_000, false));
    meter().settle(byok, new Usage(50, 50, 0, 900));

    assertThat(snapshot().spentMicros()).isZero();
    assertThat(snapshot().tokens()).isEqualTo(100);
    assertThat(refused(budget, ESTIMATE).kind()).isEqualTo(Kind.MONTHLY_BUDGET);
  }

  @Test
  void monthlyTokens_countHeldEstimates() {
    MeterLimits cap = limits(null, 250L, null, null, null);
    reserve(cap);
    reserve(cap);

    LimitExceededException e = refused(cap, ESTIMATE);
    assertThat(e.kind()).isEqualTo(Kind.MONTHLY_TOKENS);
    assertThat(e.retryAfter()).isGreaterThan(Duration.ofHours(1));
  }

  @Test
  void requestsPerMinute_refuseUntilTheNextMinute_thenTheWindowRollsOver() {
    MeterLimits rpm = limits(null, null, 3L, null, null);
    for (int i = 0; i < 3; i++) {
      meter().release(reserve(rpm));
    }

    LimitExceededException e = refused(rpm, ESTIMATE);
    assertThat(e.kind()).isEqualTo(Kind.REQUESTS_PER_MINUTE);
    assertThat(e.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(60));

    advance(Duration.ofSeconds(60));
    assertThat(reserve(rpm).metered()).isTrue();
    assertThat(snapshot().requestsThisMinute()).isEqualTo(1);
  }

  @Test
  void tokensPerMinute_countTheEstimate_andSettleGivesBackWhatWasNotUsed() {
    MeterLimits tpm = limits(null, null, null, 250L, null);
    Reservation first = reserve(tpm);
    reserve(tpm);
    assertThat(refused(tpm, ESTIMATE).kind()).isEqualTo(Kind.TOKENS_PER_MINUTE);

    meter().settle(first, new Usage(10, 0, 0, 10));
    assertThat(snapshot().tokensThisMinute()).isEqualTo(110);
    reserve(tpm);

    advance(Duration.ofSeconds(60));
    assertThat(snapshot().tokensThisMinute()).isZero();
  }

  @Test
  void concurrency_capsInFlightReservations_andRetryAfterIsShort() {
    MeterLimits two = concurrency(2);
    Reservation a = reserve(two);
    reserve(two);

    LimitExceededException e = refused(two, ESTIMATE);
    assertThat(e.kind()).isEqualTo(Kind.CONCURRENCY);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));

    meter().settle(a, Usage.NONE);
    assertThat(reserve(two).metered()).isTrue();
  }

  @Test
  void seeding_startsTheMonthFromTheLedger_soARestartDoesNotResetTheBudget() {
    YearMonth month = MeterWindows.month(now());
    ledgerMonths.put(tenant + "/" + month, new LedgerTotals.MonthTotals(900_000, 5_000));

    MeterSnapshot s = snapshot();
    assertThat(s.spentMicros()).isEqualTo(900_000);
    assertThat(s.tokens()).isEqualTo(5_000);
    MeterLimits budget = limits(1_000_000L, null, null, null, null);
    assertThat(refused(budget, new Estimate(10, 200_000, true)).kind()).isEqualTo(Kind.MONTHLY_BUDGET);
    meter().settle(meter().reserve(tenant, budget, new Estimate(10, 50_000, true)), new Usage(5, 5, 0, 50_000));
    assertThat(snapshot().spentMicros()).as("seeded once, then counted").isEqualTo(950_000);
  }

  @Test
  void seeding_byManyConcurrentCallers_countsTheLedgerOnce() throws Exception {
    ledgerMonths.put(tenant + "/" + MeterWindows.month(now()), new LedgerTotals.MonthTotals(1_000, 10));
    UsageMeter second = anotherReplica();
    runConcurrently(40, i -> (i % 2 == 0 ? meter() : second).reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE));

    MeterSnapshot s = snapshot();
    assertThat(s.spentMicros()).isEqualTo(1_000);
    assertThat(s.tokens()).isEqualTo(10);
    assertThat(s.inFlight()).isEqualTo(40);
  }

  @Test
  void newMonth_startsFromItsOwnLedgerTotals() {
    Reservation lastMonth = reserve(MeterLimits.UNLIMITED);
    meter().settle(reserve(MeterLimits.UNLIMITED), new Usage(1, 1, 0, 300));
    YearMonth next = MeterWindows.month(now()).plusMonths(1);
    ledgerMonths.put(tenant + "/" + next, new LedgerTotals.MonthTotals(42, 4));

    advance(Duration.between(now(), MeterWindows.monthStart(next)).plusSeconds(1));
    meter().settle(lastMonth, new Usage(1, 1, 0, 500));

    MeterSnapshot s = snapshot();
    assertThat(s.month()).isEqualTo(next);
    assertThat(s.spentMicros()).isEqualTo(42);
    assertThat(s.tokens()).isEqualTo(4);
    assertThat(s.reservedMicros()).isZero();
  }

  @Test
  void tenants_doNotShareCounters() {
    reserve(concurrency(1));
    TenantId other = TenantId.random();
    assertThat(meter().reserve(other, concurrency(1), ESTIMATE).metered()).isTrue();
    assertThat(meter().snapshot(other).inFlight()).isEqualTo(1);
  }

  /** The LiteLLM bypass: concurrent requests must not together overshoot a budget each alone fits. */
  @Test
  void parallelReservations_againstABudgetForN_admitExactlyN() throws Exception {
    int n = 37;
    MeterLimits budget = limits(n * ESTIMATE.costMicros(), null, null, null, null);
    List<Reservation> admitted = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger refusedForBudget = new AtomicInteger();
    runConcurrently(200, i -> {
      try {
        admitted.add(reserve(budget));
      } catch (LimitExceededException e) {
        assertThat(e.kind()).isEqualTo(Kind.MONTHLY_BUDGET);
        refusedForBudget.incrementAndGet();
      }
      return null;
    });

    assertThat(admitted).hasSize(n);
    assertThat(refusedForBudget).hasValue(200 - n);
    admitted.forEach(r -> meter().settle(r, new Usage(50, 50, 0, r.estimate().costMicros())));
    assertThat(snapshot().spentMicros()).isEqualTo(n * ESTIMATE.costMicros()).isLessThanOrEqualTo(budget
        .monthlyBudgetMicros());
    assertThat(snapshot().reservedMicros()).isZero();
  }

  @Test
  void manyCycles_withConcurrency_leaveNothingInFlightOrReserved() throws Exception {
    MeterLimits limits = limits(Long.MAX_VALUE / 4, null, null, null, 6L);
    AtomicLong settledMicros = new AtomicLong();
    AtomicInteger cycles = new AtomicInteger();
    AtomicInteger refusals = new AtomicInteger();
    runConcurrently(8, worker -> {
      for (int i = 0; i < 1_250; i++) {
        Reservation r;
        try {
          r = reserve(limits);
        } catch (LimitExceededException e) {
          assertThat(e.kind()).isEqualTo(Kind.CONCURRENCY);
          refusals.incrementAndGet();
          continue;
        } finally {
          cycles.incrementAndGet();
        }
        if ((worker + i) % 3 == 0) {
          meter().release(r);
        } else {
          meter().settle(r, new Usage(1, 2, 0, 7));
          meter().settle(r, new Usage(1, 2, 0, 7)); // idempotent
          settledMicros.addAndGet(7);
        }
      }
      return null;
    });

    assertThat(cycles).hasValue(10_000);
    MeterSnapshot s = snapshot();
    assertThat(s.inFlight()).isZero();
    assertThat(s.reservedMicros()).isZero();
    assertThat(s.reservedTokens()).isZero();
    assertThat(s.spentMicros()).isEqualTo(settledMicros.get());
  }

  @Test
  void reserve_rejectsMissingArguments() {
    assertThatThrownBy(() -> meter().reserve(tenant, null, ESTIMATE)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> meter().reserve(tenant, MeterLimits.UNLIMITED, null))
        .isInstanceOf(NullPointerException.class);
  }

  interface Work {
    Object run(int index) throws Exception;
  }

  /** Runs {@code threads} real threads released together, and fails on the first error any of them had. */
  static void runConcurrently(int threads, Work work) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> running = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < threads; i++) {
      int index = i;
      running.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
          work.run(index);
        } catch (Throwable t) {
          errors.add(t);
        }
      }));
    }
    start.countDown();
    for (Thread t : running) {
      t.join(Duration.ofSeconds(60));
    }
    if (!errors.isEmpty()) {
      AssertionError failure = new AssertionError(errors.size() + " worker(s) failed", errors.getFirst());
      throw failure;
    }
  }
}
