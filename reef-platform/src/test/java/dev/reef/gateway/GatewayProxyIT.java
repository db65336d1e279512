package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import tools.jackson.databind.JsonNode;

/** The LLM proxy end to end: a real Reef in front of a mock provider, called over real HTTP. */
class GatewayProxyIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;
  private SignedUp tenant;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    UPSTREAM.reset();
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("gw"));
    }
    tenant = signUp("Proxy User");
    catalog.generousLimits(tenant.tenantId());
  }

  private Response chat(String key, Object body) {
    return api.post("/v1/chat/completions", key, body);
  }

  private Map<String, Object> chatBody(String model, boolean stream) {
    return Api.body("model", model, "stream", stream, "messages", List.of(Map.of("role", "user", "content", "Hi")));
  }

  @Autowired
  WebServerApplicationContext web;

  /** Every /v1 test here goes through it; this one checks it is in place, in front of the filter chain. */
  @Test
  void v1Requests_areHandedToTheGatewayPastTheServletFilters() {
    org.apache.catalina.startup.Tomcat tomcat = ((TomcatWebServer) web.getWebServer()).getTomcat();
    org.apache.catalina.Container context = tomcat.getHost().findChildren()[0];
    assertThat(context.getPipeline().getValves()).extracting(v -> v.getClass().getSimpleName())
        .contains("GatewayFastPath");
    assertThat(api.get("/v1/models", tenant.apiKey()).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/tenants/" + tenant.tenantId(), tenant.apiKey()).headers().firstValue("X-Content-Type-Options").orElse(""))
        .as("other requests still pass Spring Security's filters").isEqualTo("nosniff");
  }

  @Test
  void chat_whole_forwardsWithPlatformKeyAndUpstreamModel_andMetersExactly() {
    Response r = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.at("/choices/0/message/content")).isEqualTo("Hello from the mock provider");

    MockUpstream.Seen seen = UPSTREAM.lastRequest();
    assertThat(seen.body().path("model").asString()).isEqualTo("gpt-upstream");
    assertThat(seen.header("authorization")).isEqualTo("Bearer " + GatewayFixture.PLATFORM_OPENAI_KEY);
    assertThat(seen.headers().values()).noneMatch(v -> v.contains(tenant.apiKey()));

    // 11 prompt tokens at $1/M + 7 completion tokens at $2/M = 25 micro-dollars
    JsonNode totals = awaitUsage(tenant, 1);
    assertThat(totals.path("inputTokens").asLong()).isEqualTo(11);
    assertThat(totals.path("outputTokens").asLong()).isEqualTo(7);
    assertThat(totals.path("costUsd").decimalValue()).isEqualByComparingTo("0.000025");
  }

  @Test
  void answers_nameTheModelTheClientAskedFor_wholeAndStreamed_unlessTheOperatorKeepsTheProvidersName()
      throws Exception {
    Response whole = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(whole.status()).as(whole.toString()).isEqualTo(200);
    assertThat(UPSTREAM.lastRequest().body().path("model").asString()).isEqualTo("gpt-upstream");
    assertThat(whole.at("/model")).as("Reef's id, not the provider's name").isEqualTo(catalog.gpt);

    List<String> streamed = streamLines("/v1/chat/completions", tenant.apiKey(), chatBody(catalog.gpt, true))
        .stream().filter(l -> l.startsWith("data: {")).toList();
    assertThat(streamed).isNotEmpty().allMatch(l -> l.contains("\"model\":\"" + catalog.gpt + "\""))
        .noneMatch(l -> l.contains("gpt-upstream"));

    List<String> messages = streamLines("/v1/messages", tenant.apiKey(), Api.body("model", catalog.claude,
        "max_tokens", 256, "stream", true, "messages", List.of(Map.of("role", "user", "content", "Hi"))));
    assertThat(String.join("\n", messages)).contains(catalog.claude).doesNotContain("claude-upstream");

    // The operator keeps the provider's name for a model
    String kept = catalog.gpt + "-upstream-name";
    assertThat(api.put("/api/v1/models/" + kept, MASTER_KEY, Map.of("provider", catalog.openAiProvider,
        "upstreamModel", "gpt-upstream", "inputUsdPerMTok", 1, "outputUsdPerMTok", 2,
        "answerWithUpstreamModel", true)).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/models/" + kept, MASTER_KEY).at("/answerWithUpstreamModel")).isEqualTo("true");
    Response upstreamName = chat(tenant.apiKey(), chatBody(kept, false));
    assertThat(upstreamName.status()).as(upstreamName.toString()).isEqualTo(200);
    assertThat(upstreamName.at("/model")).isEqualTo("gpt-upstream");
  }

  @Test
  void providerTest_makesOneCheapRealCall_andSaysWhatHappened() {
    Response ok = api.post("/api/v1/providers/" + catalog.openAiProvider + "/test", MASTER_KEY, Map.of());
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.json().path("ok").asBoolean()).as(ok.toString()).isTrue();
    assertThat(ok.json().path("httpStatus").asInt()).isEqualTo(200);
    assertThat(UPSTREAM.lastRequest().path()).isEqualTo("/v1/models");
    assertThat(UPSTREAM.lastRequest().header("authorization")).isEqualTo("Bearer " + GatewayFixture.PLATFORM_OPENAI_KEY);

    String dead = catalog.gpt + "-dead";
    catalog.provider(dead, "openai", "http://127.0.0.1:9/v1", "sk-dead-provider-key-0001");
    Response refused = api.post("/api/v1/providers/" + dead + "/test", MASTER_KEY, Map.of());
    assertThat(refused.status()).isEqualTo(200);
    assertThat(refused.json().path("ok").asBoolean()).isFalse();
    assertThat(refused.json().path("message").asString()).contains("connection refused").doesNotContain("sk-dead");

    assertThat(api.post("/api/v1/providers/no-such-provider/test", MASTER_KEY, Map.of()).status()).isEqualTo(404);
    assertThat(api.post("/api/v1/providers/" + catalog.openAiProvider + "/test", tenant.apiKey(), Map.of())
        .status()).isEqualTo(403);
  }

  @Test
  void chat_stream_injectsIncludeUsage_hidesTheExtraChunk_andChargesTheStream() throws Exception {
    List<String> lines = streamLines("/v1/chat/completions", tenant.apiKey(), chatBody(catalog.gpt, true));
    List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
    assertThat(data.getLast()).isEqualTo("data: [DONE]");
    assertThat(String.join("", data)).contains("Hello").contains(" provider").doesNotContain("\"usage\"");
    assertThat(UPSTREAM.lastRequest().body().at("/stream_options/include_usage").asBoolean()).isTrue();

    JsonNode totals = awaitUsage(tenant, 1);
    assertThat(totals.path("outputTokens").asLong()).isEqualTo(7);
    assertThat(totals.path("costUsd").decimalValue()).isEqualByComparingTo("0.000025");
  }

  @Test
  void chat_stream_clientAskedForUsage_seesIt() throws Exception {
    Map<String, Object> body = chatBody(catalog.gpt, true);
    body.put("stream_options", Map.of("include_usage", true));
    List<String> lines = streamLines("/v1/chat/completions", tenant.apiKey(), body);
    assertThat(String.join("\n", lines)).contains("\"usage\"");
  }

  @Test
  void messages_stream_mergesStartAndDeltaWithoutDoubleCountingCache() throws Exception {
    UPSTREAM.usage(11, 7, 100).cacheCreation(20);
    Map<String, Object> body = Api.body("model", catalog.claude, "max_tokens", 256, "stream", true,
        "messages", List.of(Map.of("role", "user", "content", "Hi")));
    List<String> lines = streamLines("/v1/messages", tenant.apiKey(), body);
    assertThat(lines).contains("event: message_stop");
    MockUpstream.Seen seen = UPSTREAM.lastRequest();
    assertThat(seen.header("x-api-key")).isEqualTo(GatewayFixture.PLATFORM_ANTHROPIC_KEY);
    assertThat(seen.header("anthropic-version")).isNotBlank();

    // input = 11 + 100 cache reads + 20 cache writes = 131, of which 100 cached:
    // 31 x $3 + 100 x $0.30 + 7 x $15 = 93 + 30 + 105 = 228 micro-dollars
    JsonNode totals = awaitUsage(tenant, 1);
    assertThat(totals.path("inputTokens").asLong()).isEqualTo(131);
    assertThat(totals.path("costUsd").decimalValue()).isEqualByComparingTo("0.000228");
  }

  @Test
  void messages_whole_acceptsXApiKey_andAnswersErrorsInAnthropicShape() {
    Map<String, Object> body = Api.body("model", catalog.claude, "max_tokens", 64,
        "messages", List.of(Map.of("role", "user", "content", "Hi")));
    Response ok = api.send("POST", "/v1/messages", null, body, Map.of("x-api-key", tenant.apiKey()));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.at("/content/0/text")).isEqualTo("Hello from the mock provider");

    Response unauthorized = api.send("POST", "/v1/messages", null, body, Map.of("x-api-key", "reef_sk_nope"));
    assertThat(unauthorized.status()).isEqualTo(401);
    assertThat(unauthorized.at("/type")).isEqualTo("error");
    assertThat(unauthorized.at("/error/type")).isEqualTo("authentication_error");
  }

  @Test
  void embeddingsAndResponses_areMeteredToo() throws Exception {
    Response embeddings = api.post("/v1/embeddings", tenant.apiKey(), Api.body("model", catalog.gpt, "input", "hi"));
    assertThat(embeddings.status()).isEqualTo(200);
    Response responses = api.post("/v1/responses", tenant.apiKey(), Api.body("model", catalog.gpt, "input", "hi"));
    assertThat(responses.status()).isEqualTo(200);
    List<String> streamed = streamLines("/v1/responses", tenant.apiKey(),
        Api.body("model", catalog.gpt, "input", "hi", "stream", true));
    assertThat(streamed).contains("event: response.completed");
    // embeddings: 11 input; responses: 11 + 7, twice
    JsonNode totals = awaitUsage(tenant, 3);
    assertThat(totals.path("inputTokens").asLong()).isEqualTo(33);
    assertThat(totals.path("outputTokens").asLong()).isEqualTo(14);
  }

  @Test
  void errors_useTheOpenAiShape_withClearCodes() {
    Response unknownKey = chat("reef_sk_unknown", chatBody(catalog.gpt, false));
    assertThat(unknownKey.status()).isEqualTo(401);
    assertThat(unknownKey.at("/error/code")).isEqualTo("invalid_api_key");
    assertThat(unknownKey.at("/error/message")).isNotBlank();

    assertThat(chat(null, chatBody(catalog.gpt, false)).status()).isEqualTo(401);

    String readOnly = api.post("/api/v1/tenants/" + tenant.tenantId() + "/api-keys", tenant.apiKey(),
        Api.body("name", "no-llm", "scopes", List.of("read"))).at("/key");
    Response noScope = chat(readOnly, chatBody(catalog.gpt, false));
    assertThat(noScope.status()).isEqualTo(403);
    assertThat(noScope.at("/error/code")).isEqualTo("insufficient_scope");

    Response unknownModel = chat(tenant.apiKey(), chatBody("no-such-model", false));
    assertThat(unknownModel.status()).isEqualTo(404);
    assertThat(unknownModel.at("/error/code")).isEqualTo("model_not_found");

    Response badJson = api.post("/v1/chat/completions", tenant.apiKey(), "{\"model\": ");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.at("/error/code")).isEqualTo("invalid_json");

    Response unknownPath = api.post("/v1/nothing", tenant.apiKey(), "{}");
    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(UPSTREAM.requestCount()).isZero();
  }

  @Test
  void upstreamClientError_isRelayedVerbatim_andNotCharged() {
    UPSTREAM.failNext(1, 400);
    Response r = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/error/message")).isEqualTo("mock failure");
    JsonNode totals = awaitUsage(tenant, 1);
    assertThat(totals.path("costUsd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
  }

  @Test
  void upstreamServerError_isRetriedBeforeAnyByte() {
    UPSTREAM.failNext(1, 503);
    Response r = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(UPSTREAM.requestCount()).isEqualTo(2);
  }

  @Test
  void fallback_servesWhenThePrimaryProviderFails() {
    String broken = unique("broken");
    catalog.provider(broken, "openai", "http://127.0.0.1:1/v1", "sk-broken");
    String primary = unique("primary");
    catalog.model(primary, broken, "never", "1", "1", "1", List.of(catalog.gpt));
    Response r = chat(tenant.apiKey(), chatBody(primary, false));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(UPSTREAM.lastRequest().body().path("model").asString()).isEqualTo("gpt-upstream");
    await().atMost(Duration.ofSeconds(10)).until(() -> usage(tenant, "model").path("groups").size() == 1);
    assertThat(usage(tenant, "model").at("/groups/0/key").asString()).as("recorded under the model that served")
        .isEqualTo(catalog.gpt);
  }

  @Test
  void byok_tenantsOwnKeyIsUsedForItsCallsOnly() {
    String ownKey = "sk-tenant-own-key-9876";
    Response put = api.put("/api/v1/tenants/" + tenant.tenantId() + "/provider-keys/" + catalog.openAiProvider,
        tenant.apiKey(), Map.of("apiKey", ownKey));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(put.text()).doesNotContain(ownKey).contains("9876");

    chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(UPSTREAM.lastRequest().header("authorization")).isEqualTo("Bearer " + ownKey);

    SignedUp other = signUp("Other Proxy User");
    catalog.generousLimits(other.tenantId());
    chat(other.apiKey(), chatBody(catalog.gpt, false));
    assertThat(UPSTREAM.lastRequest().header("authorization"))
        .isEqualTo("Bearer " + GatewayFixture.PLATFORM_OPENAI_KEY);

    assertThat(api.delete("/api/v1/tenants/" + tenant.tenantId() + "/provider-keys/" + catalog.openAiProvider,
        tenant.apiKey()).status()).isEqualTo(204);
    chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(UPSTREAM.lastRequest().header("authorization"))
        .isEqualTo("Bearer " + GatewayFixture.PLATFORM_OPENAI_KEY);
  }

  @Test
  void limits_requestsPerMinute_429WithCodeAndRetryAfter() {
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("requestsPerMinute", 2));
    assertThat(chat(tenant.apiKey(), chatBody(catalog.gpt, false)).status()).isEqualTo(200);
    assertThat(chat(tenant.apiKey(), chatBody(catalog.gpt, false)).status()).isEqualTo(200);
    Response refused = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.at("/error/code")).isEqualTo("rate_limit_exceeded");
    assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
        assertThat(Integer.parseInt(v)).isBetween(1, 60));
    assertThat(UPSTREAM.requestCount()).isEqualTo(2);
  }

  @Test
  void limits_budget_refusesWhatCouldOverspend() {
    // 4096 default output tokens at $2/M is about $0.008: a $0.001 budget cannot admit the worst case
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("monthlyBudgetUsd", 0.001));
    Response refused = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.at("/error/code")).isEqualTo("budget_exceeded");
    assertThat(UPSTREAM.requestCount()).isZero();
  }

  /**
   * Bifrost's bug: requests on routes it passed straight through skipped the budget. Reef forwards only the routes it
   * meters: each, streaming or not, is refused over budget before reaching a provider, and any other path is a 404.
   */
  @Test
  void budget_isCheckedOnEveryRouteReefForwards_andOtherPathsReachNoProvider() {
    // $0.0001 is below every estimate here: 4096 default output tokens, or 64 at $15/M, or ~1,500 input at $1/M
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("monthlyBudgetUsd", 0.0001));
    String key = tenant.apiKey();
    List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "Hi"));
    Map<String, Response> refused = new java.util.LinkedHashMap<>();
    refused.put("chat", chat(key, chatBody(catalog.gpt, false)));
    refused.put("chat stream", chat(key, chatBody(catalog.gpt, true)));
    refused.put("responses", api.post("/v1/responses", key, Api.body("model", catalog.gpt, "input", "Hi")));
    refused.put("responses stream", api.post("/v1/responses", key,
        Api.body("model", catalog.gpt, "input", "Hi", "stream", true)));
    refused.put("embeddings", api.post("/v1/embeddings", key,
        Api.body("model", catalog.gpt, "input", "a few words ".repeat(500))));
    refused.put("messages", api.post("/v1/messages", key,
        Api.body("model", catalog.claude, "max_tokens", 64, "messages", messages)));
    refused.put("messages stream", api.send("POST", "/v1/messages", null,
        Api.body("model", catalog.claude, "max_tokens", 64, "stream", true, "messages", messages),
        Map.of("x-api-key", key)));
    refused.forEach((route, r) -> {
      assertThat(r.status()).as(route).isEqualTo(429);
      assertThat(r.at("/error/code")).as(route).isEqualTo("budget_exceeded");
    });
    assertThat(refused.get("messages").at("/type")).as("Anthropic's error shape").isEqualTo("error");

    assertThat(api.get("/v1/nothing", key).status()).isEqualTo(404);
    assertThat(api.post("/v1/nothing", key, chatBody(catalog.gpt, false)).status()).isEqualTo(404);
    assertThat(api.post("/v1/audio/speech", key, Api.body("model", catalog.gpt, "input", "Hi")).status())
        .isEqualTo(404);
    assertThat(UPSTREAM.requestCount()).isZero();
  }

  /** LiteLLM's bug: concurrent requests each pass a budget check that only some of them fit. */
  @Test
  void twoHundredParallelRequests_admitOnlyWhatTheBudgetHolds_andTheLedgerStaysWithinIt() throws Exception {
    String model = unique("budgeted");
    // input free, output $10/M: 100 max tokens reserve exactly $0.001 per call; the budget holds 25 of them
    catalog.model(model, catalog.openAiProvider, "gpt-upstream", "0", "10", "0", List.of());
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("monthlyBudgetUsd", 0.025,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "tokensPerMinute", 100000000));
    UPSTREAM.latency(Duration.ofSeconds(5)); // all 200 are refused or in flight before the first one settles
    Map<String, Object> body = Api.body("model", model, "max_tokens", 100,
        "messages", List.of(Map.of("role", "user", "content", "Hi")));
    List<java.util.concurrent.Future<Integer>> calls = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 200; i++) {
        calls.add(pool.submit(() -> chat(tenant.apiKey(), body).status()));
      }
    }
    long admitted = 0;
    for (var call : calls) {
      admitted += call.get() == 200 ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(25);
    JsonNode totals = awaitUsage(tenant, 25);
    assertThat(totals.path("costUsd").decimalValue()).isLessThanOrEqualTo(new BigDecimal("0.025"));
  }

  @Test
  void suspendedTenant_refused() {
    api.post("/api/v1/tenants/" + tenant.tenantId() + "/suspend", MASTER_KEY, null);
    Response refused = chat(tenant.apiKey(), chatBody(catalog.gpt, false));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.at("/error/code")).isEqualTo("tenant_suspended");
  }

  @Test
  void models_listsOnlyWhatThePlanAllows() {
    String plan = unique("narrow");
    api.put("/api/v1/plans/" + plan, MASTER_KEY, Map.of("displayName", "Narrow"));
    api.put("/api/v1/plans/" + plan + "/llm-access", MASTER_KEY, Map.of("models", List.of(catalog.claude),
        "byokCountsAgainstBudget", false));
    api.patch("/api/v1/tenants/" + tenant.tenantId(), MASTER_KEY, Api.body("plan", plan));

    JsonNode models = api.get("/v1/models", tenant.apiKey()).json();
    assertThat(models.path("object").asString()).isEqualTo("list");
    assertThat(models.path("data").findValuesAsString("id")).containsExactly(catalog.claude);
    assertThat(chat(tenant.apiKey(), chatBody(catalog.gpt, false)).status()).isEqualTo(404);
  }

  @Test
  void clientHangsUpMidStream_isChargedForWhatWasProduced_andUpstreamIsCancelled() throws Exception {
    UPSTREAM.reply("one two three four five six seven eight nine ten eleven twelve").chunkDelay(Duration.ofMillis(150));
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(chatBody(catalog.gpt, true))))
        .build();
    HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request,
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      int dataLines = 0;
      while (dataLines < 3) {
        String line = reader.readLine();
        if (line != null && line.startsWith("data: ")) {
          dataLines++;
        }
      }
    } // hang up after three chunks

    await().atMost(Duration.ofSeconds(10)).until(() -> UPSTREAM.cancelledStreams() == 1);
    JsonNode totals = awaitUsage(tenant, 1);
    // what was produced (a dozen words at most), not the reservation (4,096 default output tokens, about $0.008)
    assertThat(totals.path("outputTokens").asLong()).as("partial output is charged").isBetween(1L, 30L);
    assertThat(totals.path("costUsd").decimalValue()).isPositive().isLessThan(new BigDecimal("0.001"));
  }

  // ---------------------------------------------------------------------------------------------------------------

  private List<String> streamLines(String path, String key, Object body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body))).build();
    HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request,
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    return new ArrayList<>(response.body().toList());
  }

  private JsonNode usage(SignedUp t, String groupBy) {
    return api.get("/api/v1/tenants/" + t.tenantId() + "/usage?groupBy=" + groupBy, t.apiKey()).json();
  }

  /** The usage totals once the ledger has {@code requests} records for the tenant (it flushes within seconds). */
  private JsonNode awaitUsage(SignedUp t, int requests) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> usage(t, "day").at("/totals/requests").asLong() >= requests);
    return usage(t, "day").path("totals");
  }
}
