package dev.reef.metering;

import java.time.Duration;

/** A reservation refused because a cap would be exceeded; says which and when to retry. */
public final class LimitExceededException extends RuntimeException {

  /** Which cap; {@link #code()} is the error code clients see. */
  public enum Kind {
    REQUESTS_PER_MINUTE("rate_limit_exceeded", "requestsPerMinute"),
    TOKENS_PER_MINUTE("tokens_per_minute_exceeded", "tokensPerMinute"),
    MONTHLY_BUDGET("budget_exceeded", "monthlyBudgetUsd"),
    MONTHLY_TOKENS("monthly_tokens_exceeded", "monthlyTokens"),
    CONCURRENCY("concurrency_limit_exceeded", "maxConcurrentRequests");

    private final String code;
    private final String limitName;

    Kind(String code, String limitName) {
      this.code = code;
      this.limitName = limitName;
    }

    public String code() {
      return code;
    }

    public String limitName() {
      return limitName;
    }
  }

  private final Kind kind;
  private final Duration retryAfter;

  public LimitExceededException(Kind kind, Duration retryAfter, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** At least one second. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
