package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.metering.LimitExceededException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;

class MeterWindowsTest {

  @Test
  void month_isTheUtcCalendarMonth() {
    assertThat(MeterWindows.month(Instant.parse("2026-11-30T23:59:59.999Z"))).isEqualTo(YearMonth.of(2026, 11));
    assertThat(MeterWindows.month(Instant.parse("2026-12-01T00:00:00Z"))).isEqualTo(YearMonth.of(2026, 12));
    assertThat(MeterWindows.monthStart(YearMonth.of(2028, 2))).isEqualTo(Instant.parse("2028-02-01T00:00:00Z"));
  }

  @Test
  void minute_isAlignedToTheMinute() {
    assertThat(MeterWindows.minute(Instant.parse("2026-11-15T10:07:59.999Z")))
        .isEqualTo(Instant.parse("2026-11-15T10:07:00Z"));
  }

  @Test
  void retryAfter_perMinuteCaps_isTheRestOfTheMinute_roundedUp() {
    assertThat(MeterWindows.retryAfter(Kind.REQUESTS_PER_MINUTE, Instant.parse("2026-11-15T10:07:01Z")))
        .isEqualTo(Duration.ofSeconds(59));
    assertThat(MeterWindows.retryAfter(Kind.TOKENS_PER_MINUTE, Instant.parse("2026-11-15T10:07:59.001Z")))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(MeterWindows.retryAfter(Kind.TOKENS_PER_MINUTE, Instant.parse("2026-11-15T10:07:00Z")))
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void retryAfter_monthlyCaps_isUntilTheNextMonth() {
    assertThat(MeterWindows.retryAfter(Kind.MONTHLY_BUDGET, Instant.parse("2026-12-31T23:00:00Z")))
        .isEqualTo(Duration.ofHours(1));
    assertThat(MeterWindows.retryAfter(Kind.MONTHLY_TOKENS, Instant.parse("2026-02-01T00:00:00Z")))
        .isEqualTo(Duration.ofDays(28));
  }

  @Test
  void retryAfter_concurrency_isOneSecond_andNeverLess() {
    assertThat(MeterWindows.retryAfter(Kind.CONCURRENCY, Instant.parse("2026-11-15T10:07:01.5Z")))
        .isEqualTo(Duration.ofSeconds(1));
  }
}
