package dev.reef.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

/**
 * A test's own slice of the LLM catalog: an OpenAI-style and an Anthropic-style provider pointing at a
 * {@link MockUpstream}, and models on them with known prices. Names are unique per fixture because the catalog is
 * platform-wide and test classes share one running Reef.
 *
 * <p>Prices: {@link #gpt} costs $1 / $2 / $0.50 (input / output / cached input) per million tokens, {@link #claude}
 * $3 / $15 / $0.30.
 */
public final class GatewayFixture {

  public static final String PLATFORM_OPENAI_KEY = "sk-platform-openai-key-0001";
  public static final String PLATFORM_ANTHROPIC_KEY = "sk-ant-platform-key-0002";

  public final String openAiProvider;
  public final String anthropicProvider;
  public final String gpt;
  public final String claude;
  public final MockUpstream upstream;
  private final Api api;

  public GatewayFixture(Api api, MockUpstream upstream, String name) {
    this.api = api;
    this.upstream = upstream;
    this.openAiProvider = name + "-openai";
    this.anthropicProvider = name + "-anthropic";
    this.gpt = name + "-gpt";
    this.claude = name + "-claude";
    put("/api/v1/providers/" + openAiProvider, Map.of("type", "openai", "baseUrl", upstream.openAiBaseUrl(),
        "apiKey", PLATFORM_OPENAI_KEY));
    put("/api/v1/providers/" + anthropicProvider, Map.of("type", "anthropic", "baseUrl",
        upstream.anthropicBaseUrl(), "apiKey", PLATFORM_ANTHROPIC_KEY));
    model(gpt, openAiProvider, "gpt-upstream", "1.00", "2.00", "0.50", List.of());
    model(claude, anthropicProvider, "claude-upstream", "3.00", "15.00", "0.30", List.of());
  }

  public void model(String id, String provider, String upstreamModel, String in, String out, String cached,
      List<String> fallbacks) {
    put("/api/v1/models/" + id, Map.of("provider", provider, "upstreamModel", upstreamModel,
        "inputUsdPerMTok", new java.math.BigDecimal(in), "outputUsdPerMTok", new java.math.BigDecimal(out),
        "cachedInputUsdPerMTok", new java.math.BigDecimal(cached), "fallbacks", fallbacks));
  }

  public void provider(String name, String type, String baseUrl, String key) {
    put("/api/v1/providers/" + name, Map.of("type", type, "baseUrl", baseUrl, "apiKey", key));
  }

  /** Raises the tenant's per-minute and concurrency caps so a test measures what it means to, not the defaults. */
  public void generousLimits(String tenantId) {
    put("/api/v1/tenants/" + tenantId + "/limits", Map.of("requestsPerMinute", 100000, "tokensPerMinute", 100000000,
        "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
  }

  private void put(String path, Object body) {
    Api.Response r = api.put(path, ReefApplicationIT.MASTER_KEY, body);
    assertThat(r.status()).as(path + " " + r).isEqualTo(200);
  }
}
