package dev.reef.metering;

import dev.reef.tenancy.Limits;
import java.math.BigDecimal;

/**
 * The caps a reservation is checked against; null means unlimited. Money is in micro-dollars (1 USD = 1,000,000)
 * so every counter is an exact integer.
 */
public record MeterLimits(
    Long monthlyBudgetMicros,
    Long monthlyTokens,
    Long requestsPerMinute,
    Long tokensPerMinute,
    Long maxConcurrentRequests) {

  public static final MeterLimits UNLIMITED = new MeterLimits(null, null, null, null, null);

  public static MeterLimits of(Limits limits) {
    return new MeterLimits(Money.toMicros(limits.monthlyBudgetUsd()), limits.monthlyTokens(),
        limits.requestsPerMinute(), limits.tokensPerMinute(), limits.maxConcurrentRequests());
  }

  /** Exact USD to micro-dollar conversions. */
  public static final class Money {
    private Money() {}

    public static Long toMicros(BigDecimal usd) {
      return usd == null ? null : usd.movePointRight(6).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    public static BigDecimal toUsd(long micros) {
      return BigDecimal.valueOf(micros).movePointLeft(6);
    }
  }
}
