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
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * The embedded meter: every tenant's counters in this JVM's memory, for a single replica.
 *
 * <p>Design note: one lock per tenant makes check-and-apply atomic (the same guarantee the Redis meter gets from a
 * Lua script) while different tenants never contend. It is a {@link ReentrantLock}, not {@code synchronized}, so a
 * virtual thread that seeds from the database under it does not pin its carrier. Reservations have no lease here:
 * their holder is this process, which settles or releases every one (the proxy does so in a finally block), and if
 * the process dies its reservations die with it. Memory is lost on restart; the month counters are then seeded
 * again from the durable ledger.
 */
final class InProcessUsageMeter implements UsageMeter, MeterProbe {

  private final Clock clock;
  private final LedgerTotals ledger;
  private final MeterProperties.FailMode failMode;
  private final Map<TenantId, TenantCounters> tenants = new ConcurrentHashMap<>();

  InProcessUsageMeter(Clock clock, LedgerTotals ledger, MeterProperties.FailMode failMode) {
    this.clock = clock;
    this.ledger = ledger;
    this.failMode = failMode;
  }

  @Override
  public String implementation() {
    return MeterType.IN_PROCESS.value();
  }

  @Override
  public void ping() {
    // memory always answers
  }

  @Override
  public Reservation reserve(TenantId tenantId, MeterLimits limits, Estimate estimate) {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(estimate, "estimate");
    TenantCounters tenant = tenants.computeIfAbsent(Objects.requireNonNull(tenantId, "tenantId"),
        t -> new TenantCounters());
    Instant now = clock.instant();
    tenant.lock.lock();
    try {
      MonthCounters month;
      try {
        month = tenant.seededMonth(tenantId, MeterWindows.month(now), ledger);
      } catch (MeterUnavailableException ledgerUnreachable) {
        return failMode.whenUnavailable(tenantId, estimate, now, ledgerUnreachable);
      }
      tenant.advance(now);
      Optional<Kind> refused = CapCheck.firstExceeded(limits, estimate, tenant.counters(month));
      if (refused.isPresent()) {
        throw CapCheck.refusal(refused.get(), now);
      }
      Hold hold = new Hold(month.month, tenant.minute, estimate.countsAgainstBudget() ? estimate.costMicros() : 0,
          estimate.tokens(), estimate.countsAgainstBudget());
      month.reservedMicros += hold.costMicros;
      month.reservedTokens += hold.tokens;
      tenant.requests++;
      tenant.minuteTokens += hold.tokens;
      String id = UUID.randomUUID().toString();
      tenant.holds.put(id, hold);
      return new Reservation(id, tenantId, month.month, tenant.minute, estimate, true);
    } finally {
      tenant.lock.unlock();
    }
  }

  @Override
  public void settle(Reservation reservation, Usage actual) {
    Objects.requireNonNull(actual, "actual");
    finish(reservation, actual);
  }

  @Override
  public void release(Reservation reservation) {
    finish(reservation, null);
  }

  /** Settle (with the actual usage) or release (null): once; a second call finds no hold and changes nothing. */
  private void finish(Reservation reservation, Usage actual) {
    withLiveHold(reservation, (tenant, id) -> {
      Hold hold = tenant.holds.remove(id);
      MonthCounters month = tenant.months.get(hold.month);
      if (month != null) {
        month.reservedMicros -= hold.costMicros;
        month.reservedTokens -= hold.tokens;
        if (actual != null) {
          month.spentMicros += hold.countsAgainstBudget ? actual.costMicros() : 0;
          month.tokens += actual.totalTokens();
        }
      }
      if (hold.minute.equals(tenant.minute)) {
        // Tokens per minute counted the estimate at reserve; now count what was really used (nothing, on release).
        long used = actual == null ? 0 : actual.totalTokens();
        tenant.minuteTokens = Math.max(0, tenant.minuteTokens - hold.tokens + used);
      }
      return null;
    });
  }

  /** Runs {@code work} under the tenant's lock if the reservation is metered and still held; otherwise nothing. */
  private void withLiveHold(Reservation reservation, BiFunction<TenantCounters, String, ?> work) {
    Objects.requireNonNull(reservation, "reservation");
    TenantCounters tenant = tenants.get(reservation.tenantId());
    if (!reservation.metered() || tenant == null) {
      return; // unmetered: admitted while the ledger was unreachable, so the next seeding counts its record
    }
    tenant.lock.lock();
    try {
      tenant.advance(clock.instant());
      if (tenant.holds.containsKey(reservation.id())) {
        work.apply(tenant, reservation.id());
      }
    } finally {
      tenant.lock.unlock();
    }
  }

  @Override
  public MeterSnapshot snapshot(TenantId tenantId) {
    TenantCounters tenant = tenants.computeIfAbsent(tenantId, t -> new TenantCounters());
    Instant now = clock.instant();
    tenant.lock.lock();
    try {
      MonthCounters month = tenant.seededMonth(tenantId, MeterWindows.month(now), ledger);
      tenant.advance(now);
      return new MeterSnapshot(month.month, month.spentMicros, month.reservedMicros, month.tokens,
          month.reservedTokens, tenant.holds.size(), tenant.requests, tenant.minuteTokens);
    } finally {
      tenant.lock.unlock();
    }
  }

  /** One reservation's hold on its tenant's counters. */
  private record Hold(YearMonth month, Instant minute, long costMicros, long tokens, boolean countsAgainstBudget) {}

  private static final class MonthCounters {
    final YearMonth month;
    long spentMicros;
    long reservedMicros;
    long tokens;
    long reservedTokens;

    MonthCounters(YearMonth month, LedgerTotals.MonthTotals seed) {
      this.month = month;
      this.spentMicros = seed.spentMicros();
      this.tokens = seed.tokens();
    }
  }

  /** A tenant's state; every field is guarded by {@link #lock}. */
  private static final class TenantCounters {
    final ReentrantLock lock = new ReentrantLock();
    final Map<YearMonth, MonthCounters> months = new HashMap<>();
    final Map<String, Hold> holds = new HashMap<>();
    Instant minute = Instant.EPOCH;
    long requests;
    long minuteTokens;

    /**
     * This month's counters, seeded from the ledger the first time the month is seen (so exactly once).
     *
     * @throws MeterUnavailableException when the ledger cannot be read
     */
    MonthCounters seededMonth(TenantId tenantId, YearMonth month, LedgerTotals ledger) {
      MonthCounters counters = months.get(month);
      if (counters == null) {
        LedgerTotals.MonthTotals totals;
        try {
          totals = ledger.month(tenantId, month, false); // unmetered calls count only through it
        } catch (RuntimeException e) {
          throw new MeterUnavailableException("The usage ledger cannot be read to seed the month's counters", e);
        }
        counters = new MonthCounters(month, totals);
        months.put(month, counters);
        // Older months are no longer checked; a reservation from last month may still settle into it.
        months.keySet().removeIf(m -> m.isBefore(month.minusMonths(1)));
      }
      return counters;
    }

    /** Starts a new rate window when the minute changed. */
    void advance(Instant now) {
      Instant current = MeterWindows.minute(now);
      if (!current.equals(minute)) {
        minute = current;
        requests = 0;
        minuteTokens = 0;
      }
    }

    CapCheck.Counters counters(MonthCounters month) {
      return new CapCheck.Counters(month.spentMicros, month.reservedMicros, month.tokens, month.reservedTokens,
          requests, minuteTokens, holds.size());
    }
  }
}
