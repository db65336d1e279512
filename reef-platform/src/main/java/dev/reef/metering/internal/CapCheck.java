package dev.reef.metering.internal;

import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException;
import dev.reef.metering.LimitExceededException.Kind;
import dev.reef.metering.MeterLimits;
import java.time.Instant;
import java.util.Optional;

/**
 * The admission rule both meters apply (the Redis reserve script is its Lua twin, in the same order): a request is
 * admitted only if, with its estimate added, every cap still holds. Held estimates count like spend, so concurrent
 * requests cannot together overshoot a cap that each alone would fit (the LiteLLM budget bypass).
 */
final class CapCheck {

  private CapCheck() {}

  /** A tenant's counters just before the check; {@code inFlight} excludes the request being checked. */
  record Counters(long spentMicros, long reservedMicros, long tokens, long reservedTokens, long requestsThisMinute,
      long tokensThisMinute, long inFlight) {}

  static Optional<Kind> firstExceeded(MeterLimits limits, Estimate estimate, Counters c) {
    if (estimate.countsAgainstBudget()
        && exceeds(c.spentMicros() + c.reservedMicros() + estimate.costMicros(), limits.monthlyBudgetMicros())) {
      return Optional.of(Kind.MONTHLY_BUDGET);
    }
    if (exceeds(c.tokens() + c.reservedTokens() + estimate.tokens(), limits.monthlyTokens())) {
      return Optional.of(Kind.MONTHLY_TOKENS);
    }
    if (exceeds(c.requestsThisMinute() + 1, limits.requestsPerMinute())) {
      return Optional.of(Kind.REQUESTS_PER_MINUTE);
    }
    if (exceeds(c.tokensThisMinute() + estimate.tokens(), limits.tokensPerMinute())) {
      return Optional.of(Kind.TOKENS_PER_MINUTE);
    }
    if (exceeds(c.inFlight() + 1, limits.maxConcurrentRequests())) {
      return Optional.of(Kind.CONCURRENCY);
    }
    return Optional.empty();
  }

  static LimitExceededException refusal(Kind kind, Instant now) {
    return new LimitExceededException(kind, MeterWindows.retryAfter(kind, now),
        "The tenant's " + kind.limitName() + " limit would be exceeded (" + kind.code() + ").");
  }

  private static boolean exceeds(long wouldBe, Long cap) {
    return cap != null && wouldBe > cap;
  }
}
