package dev.reef.metering;

/**
 * What a request really used, read from the provider's response.
 *
 * @param inputTokens all prompt tokens, including cached ones
 * @param cachedInputTokens the part of the prompt served from the provider's cache
 */
public record Usage(long inputTokens, long outputTokens, long cachedInputTokens, long costMicros) {

  public static final Usage NONE = new Usage(0, 0, 0, 0);

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
