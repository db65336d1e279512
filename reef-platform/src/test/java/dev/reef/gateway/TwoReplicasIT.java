package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.PostgresTestDatabase;
import dev.reef.testing.ReefApplicationIT;
import dev.reef.testing.StandaloneReef;
import dev.reef.testing.TestDatabase;
import dev.reef.testing.TestRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Reef replicas sharing one PostgreSQL and one Redis enforce one set of caps between them: what one admits the
 * other sees (LiteLLM's per-replica counters let N replicas admit N times the limit).
 */
class TwoReplicasIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static PostgresTestDatabase database;
  private static StandaloneReef first;
  private static StandaloneReef second;
  private static String prefix;

  @BeforeAll
  static void twoReplicas(@TempDir Path dirA, @TempDir Path dirB) {
    TestDatabase.requirePostgres();
    TestRedis.require();
    database = PostgresTestDatabase.create();
    prefix = TestRedis.uniquePrefix();
    Map<String, Object> shared = Map.of("reef.redis.url", TestRedis.url(), "reef.redis.key-prefix", prefix,
        "reef.secrets.master-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "reef.gateway.catalog-refresh", "1s");
    first = new StandaloneReef(dirA, database).start(shared);
    second = new StandaloneReef(dirB, database).start(shared);
  }

  @AfterAll
  static void stop() {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
    if (database != null) {
      database.drop();
    }
    if (prefix != null) {
      TestRedis.deleteKeys(prefix);
    }
    UPSTREAM.close();
  }

  @Test
  void budget_holdsAcrossBothReplicas() throws Exception {
    Api a = first.api();
    Api b = second.api();
    String key = ReefApplicationIT.MASTER_KEY;
    a.put("/api/v1/providers/mock", key, Map.of("type", "openai", "baseUrl", UPSTREAM.openAiBaseUrl(), "apiKey", "sk-x"));
    // input free, output $10/M: 100 max tokens reserve exactly $0.001 per call
    a.put("/api/v1/models/m", key, Map.of("provider", "mock", "upstreamModel", "m", "inputUsdPerMTok", 0,
        "outputUsdPerMTok", 10, "cachedInputUsdPerMTok", 0));
    Api.Response signup = a.post("/api/v1/signup", null, Api.body("email", "two@replicas.test", "password",
        "two-replicas-password", "tenantName", "Two Replicas"));
    String tenant = signup.at("/tenantId");
    String tenantKey = signup.at("/apiKey");
    a.put("/api/v1/tenants/" + tenant + "/limits", key, Map.of("monthlyBudgetUsd", 0.010,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "tokensPerMinute", 100000000));
    // both replicas' views of the catalog (refreshed every second here) and of the tenant's limits catch up
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
        b.get("/v1/models", tenantKey).text().contains("\"m\""));
    Thread.sleep(2500);

    UPSTREAM.latency(Duration.ofSeconds(2)); // every admitted call is in flight at once
    Map<String, Object> body = Api.body("model", "m", "max_tokens", 100,
        "messages", List.of(Map.of("role", "user", "content", "hi")));
    List<Future<Integer>> calls = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 40; i++) {
        Api replica = i % 2 == 0 ? a : b;
        calls.add(pool.submit(() -> replica.post("/v1/chat/completions", tenantKey, body).status()));
      }
    }
    long admitted = 0;
    for (Future<Integer> call : calls) {
      int status = call.get();
      assertThat(status).isIn(200, 429);
      admitted += status == 200 ? 1 : 0;
    }
    assertThat(admitted).as("a $0.010 budget admits ten $0.001 worst cases, across both replicas")
        .isEqualTo(10);
    assertThat(UPSTREAM.requestCount()).isEqualTo(10);
  }
}
