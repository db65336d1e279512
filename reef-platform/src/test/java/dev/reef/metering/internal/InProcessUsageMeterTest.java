package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.metering.MeterLimits;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.Reservation;
import dev.reef.metering.Usage;
import dev.reef.metering.UsageMeter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InProcessUsageMeterTest extends UsageMeterContract {

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-15T10:00:01Z"));

  @Override
  UsageMeter newMeter() {
    return new InProcessUsageMeter(clock, ledger, MeterProperties.FailMode.CLOSED);
  }

  @Override
  UsageMeter anotherReplica() {
    return meter(); // the in-process meter is, by definition, one replica's
  }

  @Override
  void advance(Duration by) {
    clock.advance(by);
  }

  @Override
  Instant now() {
    return clock.instant();
  }

  @Test
  void seeding_readsTheLedgerOncePerMonth() throws Exception {
    runConcurrently(50, i -> reserve(MeterLimits.UNLIMITED));
    snapshot();
    assertThat(ledgerReads).hasValue(1);
  }

  @Test
  void aReservation_livesAsLongAsItsCall_however_long() {
    MeterLimits one = limits(1_000L, null, null, null, 1L);
    Reservation slow = reserve(one);
    advance(Duration.ofHours(1)); // a call this long is the proxy's to end; the meter never drops it
    assertThat(snapshot().inFlight()).isEqualTo(1);
    assertThat(refused(one, ESTIMATE).kind()).isEqualTo(dev.reef.metering.LimitExceededException.Kind.MONTHLY_BUDGET);

    meter().settle(slow, new Usage(1, 1, 0, 999));
    meter().settle(slow, new Usage(1, 1, 0, 999));
    assertThat(snapshot().spentMicros()).as("settled once").isEqualTo(999);
    assertThat(snapshot().inFlight()).isZero();
  }

  @Test
  void ledgerUnreachable_failClosed_refuses() {
    UsageMeter meter = new InProcessUsageMeter(clock, (t, m, meteredOnly) -> {
      throw new IllegalStateException("database down");
    }, MeterProperties.FailMode.CLOSED);

    assertThatThrownBy(() -> meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE))
        .isInstanceOf(MeterUnavailableException.class);
    assertThatThrownBy(() -> meter.snapshot(tenant)).isInstanceOf(MeterUnavailableException.class);
  }

  @Test
  void ledgerUnreachable_failOpen_admitsUnmetered_andSeedsOnceTheLedgerIsBack() {
    boolean[] down = {true};
    UsageMeter meter = new InProcessUsageMeter(clock, (t, m, meteredOnly) -> {
      if (down[0]) {
        throw new IllegalStateException("database down");
      }
      return new LedgerTotals.MonthTotals(777, 7); // includes the unmetered call's record
    }, MeterProperties.FailMode.OPEN);

    Reservation r = meter.reserve(tenant, MeterLimits.UNLIMITED, ESTIMATE);
    assertThat(r.metered()).isFalse();
    meter.settle(r, new Usage(3, 4, 0, 777));
    down[0] = false;

    assertThat(meter.snapshot(tenant).spentMicros()).isEqualTo(777);
    assertThat(meter.snapshot(tenant).inFlight()).isZero();
  }
}
