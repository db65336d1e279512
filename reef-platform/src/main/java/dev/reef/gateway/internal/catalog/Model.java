package dev.reef.gateway.internal.catalog;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A model Reef offers, the upstream model it maps to, and its prices in USD per million tokens.
 *
 * @param fallbacks model ids tried in order when this one's provider fails before answering
 * @param answerWithUpstreamModel whether answers keep the provider's name for the model in their {@code model}
 *     field; by default they carry the id the client asked for
 */
public record Model(
    String id,
    String provider,
    String upstreamModel,
    BigDecimal inputUsdPerMTok,
    BigDecimal outputUsdPerMTok,
    BigDecimal cachedInputUsdPerMTok,
    List<String> fallbacks,
    boolean answerWithUpstreamModel,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * The cost of a call in micro-dollars, rounded up. Cached prompt tokens are billed at the cached price, the rest
   * of the prompt at the input price.
   */
  public long costMicros(long inputTokens, long cachedInputTokens, long outputTokens) {
    long uncached = Math.max(0, inputTokens - cachedInputTokens);
    // USD per MTok == micro-dollars per token, so tokens x price is already in micro-dollars
    BigDecimal micros = inputUsdPerMTok.multiply(BigDecimal.valueOf(uncached))
        .add(cachedInputUsdPerMTok.multiply(BigDecimal.valueOf(Math.min(cachedInputTokens, inputTokens))))
        .add(outputUsdPerMTok.multiply(BigDecimal.valueOf(outputTokens)));
    // a provider that reports absurd usage must not make the call fail after it has happened: the cost saturates
    BigDecimal rounded = micros.setScale(0, java.math.RoundingMode.CEILING);
    return rounded.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
        : Math.max(0, rounded.longValue());
  }
}
