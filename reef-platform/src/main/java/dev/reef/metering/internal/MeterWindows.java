package dev.reef.metering.internal;

import dev.reef.metering.LimitExceededException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The time windows caps are counted in, the same for both meters (the Redis scripts compute the same in Lua).
 *
 * <p>Months are UTC calendar months. Per-minute caps use fixed windows aligned to the minute rather than a sliding
 * window: one counter per minute is a single atomic increment in any store, costs no per-request memory (a sliding
 * log keeps every timestamp), gives every replica the same window boundaries, and makes {@code Retry-After} exact
 * (the seconds to the next minute). The price is a burst of up to twice the rate across a minute boundary, which a
 * rate cap meant to protect a provider quota tolerates.
 */
final class MeterWindows {

  private MeterWindows() {}

  static YearMonth month(Instant now) {
    return YearMonth.from(now.atOffset(ZoneOffset.UTC));
  }

  static Instant monthStart(YearMonth month) {
    return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  static Instant minute(Instant now) {
    return now.truncatedTo(ChronoUnit.MINUTES);
  }

  /** When to try again after a refusal: the next window for the windowed caps, soon for concurrency; never < 1 s. */
  static Duration retryAfter(Kind kind, Instant now) {
    Instant next = switch (kind) {
      case REQUESTS_PER_MINUTE, TOKENS_PER_MINUTE -> minute(now).plus(1, ChronoUnit.MINUTES);
      case MONTHLY_BUDGET, MONTHLY_TOKENS -> monthStart(month(now).plusMonths(1));
      case CONCURRENCY -> now.plusSeconds(1);
    };
    long millis = Duration.between(now, next).toMillis();
    return Duration.ofSeconds(Math.max(1, (millis + 999) / 1000));
  }
}
