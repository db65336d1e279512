package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException;
import dev.reef.metering.LimitExceededException.Kind;
import dev.reef.metering.MeterLimits;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CapCheckTest {

  private static final Estimate ESTIMATE = new Estimate(100, 1_000, true);
  private static final CapCheck.Counters EMPTY = new CapCheck.Counters(0, 0, 0, 0, 0, 0, 0);

  @Test
  void firstExceeded_unlimited_admitsAnything() {
    CapCheck.Counters busy = new CapCheck.Counters(Long.MAX_VALUE / 4, 1, 1, 1, 1_000_000, 1, 1_000);
    assertThat(CapCheck.firstExceeded(MeterLimits.UNLIMITED, ESTIMATE, busy)).isEmpty();
  }

  @Test
  void firstExceeded_budget_countsSpentPlusHeldPlusThisEstimate_upToTheCapInclusive() {
    MeterLimits budget = new MeterLimits(3_000L, null, null, null, null);
    assertThat(CapCheck.firstExceeded(budget, ESTIMATE, new CapCheck.Counters(1_000, 1_000, 0, 0, 0, 0, 0)))
        .isEmpty();
    assertThat(CapCheck.firstExceeded(budget, ESTIMATE, new CapCheck.Counters(1_000, 1_001, 0, 0, 0, 0, 0)))
        .contains(Kind.MONTHLY_BUDGET);
    assertThat(CapCheck.firstExceeded(budget, new Estimate(100, 1_000, false),
        new CapCheck.Counters(5_000, 0, 0, 0, 0, 0, 0))).as("not counted against the budget").isEmpty();
  }

  @Test
  void firstExceeded_eachCap_isNamed() {
    assertThat(CapCheck.firstExceeded(new MeterLimits(null, 150L, null, null, null), ESTIMATE,
        new CapCheck.Counters(0, 0, 30, 30, 0, 0, 0))).contains(Kind.MONTHLY_TOKENS);
    assertThat(CapCheck.firstExceeded(new MeterLimits(null, null, 2L, null, null), ESTIMATE,
        new CapCheck.Counters(0, 0, 0, 0, 2, 0, 0))).contains(Kind.REQUESTS_PER_MINUTE);
    assertThat(CapCheck.firstExceeded(new MeterLimits(null, null, null, 150L, null), ESTIMATE,
        new CapCheck.Counters(0, 0, 0, 0, 0, 51, 0))).contains(Kind.TOKENS_PER_MINUTE);
    assertThat(CapCheck.firstExceeded(new MeterLimits(null, null, null, null, 1L), ESTIMATE,
        new CapCheck.Counters(0, 0, 0, 0, 0, 0, 1))).contains(Kind.CONCURRENCY);
    assertThat(CapCheck.firstExceeded(new MeterLimits(null, null, null, null, 0L), ESTIMATE, EMPTY))
        .as("a cap of zero admits nothing").contains(Kind.CONCURRENCY);
  }

  @Test
  void firstExceeded_severalExceeded_reportsTheMonthlyCapFirst() {
    MeterLimits all = new MeterLimits(0L, 0L, 0L, 0L, 0L);
    assertThat(CapCheck.firstExceeded(all, ESTIMATE, EMPTY)).contains(Kind.MONTHLY_BUDGET);
  }

  @Test
  void refusal_saysWhichLimitAndWhenToRetry() {
    LimitExceededException e = CapCheck.refusal(Kind.REQUESTS_PER_MINUTE, Instant.parse("2026-11-15T10:00:45.5Z"));
    assertThat(e.kind()).isEqualTo(Kind.REQUESTS_PER_MINUTE);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(15));
    assertThat(e.getMessage()).contains("requestsPerMinute").contains("rate_limit_exceeded");
  }
}
