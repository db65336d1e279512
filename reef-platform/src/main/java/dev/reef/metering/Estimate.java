package dev.reef.metering;

/**
 * What a request may use at most, reserved before it is forwarded.
 *
 * @param tokens estimated input tokens plus the maximum output tokens
 * @param costMicros the worst-case cost of those tokens
 * @param countsAgainstBudget false for a BYOK call when the plan says BYOK spend is not capped
 */
public record Estimate(long tokens, long costMicros, boolean countsAgainstBudget) {

  public Estimate {
    if (tokens < 0 || costMicros < 0) {
      throw new IllegalArgumentException("estimate must not be negative");
    }
  }
}
