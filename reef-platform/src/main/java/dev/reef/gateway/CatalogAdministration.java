package dev.reef.gateway;

import dev.reef.common.Actor;
import java.math.BigDecimal;
import java.util.List;

/**
 * The operator's LLM catalog (providers, models and prices), for the dashboard: the same operations as the catalog
 * endpoints, audited the same way. Callers check that the caller is the operator first. Keys are never returned.
 */
public interface CatalogAdministration {

  List<ProviderInfo> providers();

  /** Creates or replaces a provider; {@code apiKey} null keeps the stored key, empty removes it. */
  ProviderInfo putProvider(String name, ProviderType type, String baseUrl, String apiKey, Integer maxConcurrency,
      Actor actor);

  /** 409 while a model still uses it. */
  void deleteProvider(String name, Actor actor);

  /** Which models a plan allows ({@code models} null: every model) and whether BYOK spend counts against its budget. */
  PlanModels planModels(String planId);

  PlanModels putPlanModels(String planId, java.util.Set<String> models, boolean byokCountsAgainstBudget, Actor actor);

  record PlanModels(String planId, java.util.Set<String> models, boolean byokCountsAgainstBudget) {}

  /** One cheap real call (the provider's model list) with the platform key; 404 for an unknown provider. */
  ConnectionTest testProvider(String name);

  /**
   * @param ok whether the provider answered and took the key
   * @param httpStatus the provider's status, 0 when there was no answer
   * @param message what happened, in words (never the provider's answer: it may echo the key)
   */
  record ConnectionTest(boolean ok, long millis, int httpStatus, String message) {}

  List<ModelInfo> models();

  /** Creates or replaces a model; prices in USD per million tokens; {@code cachedInput} null: the input price. */
  ModelInfo putModel(String id, String provider, String upstreamModel, BigDecimal input, BigDecimal output,
      BigDecimal cachedInput, List<String> fallbacks, Actor actor);

  void deleteModel(String id, Actor actor);

  /** How long Reef waits for providers ({@code REEF_GATEWAY_*_TIMEOUT}, {@code REEF_GATEWAY_RETRIES}). */
  CallTimeouts timeouts();

  /**
   * @param firstByte the longest a provider may stay silent: before the first byte of its answer, and inside a stream
   * @param total a whole call, every retry and fallback included
   * @param retries extra attempts on one provider before any byte reached the client, never after a timeout
   */
  record CallTimeouts(java.time.Duration connect, java.time.Duration firstByte, java.time.Duration total,
      int retries) {}

  /** @param apiKeyHint the key's last characters, masked; null when the provider has no platform key */
  record ProviderInfo(String name, ProviderType type, String baseUrl, String apiKeyHint, int maxConcurrency) {}

  record ModelInfo(String id, String provider, String upstreamModel, BigDecimal inputUsdPerMTok,
      BigDecimal outputUsdPerMTok, BigDecimal cachedInputUsdPerMTok, List<String> fallbacks) {}
}
