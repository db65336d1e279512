package dev.reef.gateway.internal.proxy;

/**
 * Tokens a call used. {@code input} is every prompt token including cached ones; {@code exact} is false when the
 * provider never reported usage (a stream cut short) and the counts are Reef's estimate.
 */
record TokenCounts(long input, long cached, long output, boolean exact) {

  static final TokenCounts ZERO = new TokenCounts(0, 0, 0, true);
}
