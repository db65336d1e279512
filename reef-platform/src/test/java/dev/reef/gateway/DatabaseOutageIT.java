package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.PostgresTestDatabase;
import dev.reef.testing.ReefApplicationIT;
import dev.reef.testing.StandaloneReef;
import dev.reef.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reef on a PostgreSQL database of the test's own that starts refusing connections (every open one is cut, new ones
 * are refused, as when the server goes away): LLM calls of callers Reef knew go on; everything that needs the
 * database answers 503 {@code database-unavailable} within about a second instead of hanging for the pool's 30 s;
 * readiness says DEGRADED but keeps the replica in service; and once the database is back the calls made during the
 * outage are all in the usage report.
 */
class DatabaseOutageIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final Duration FAST = Duration.ofSeconds(3); // the pool gives up after 1 s; slack for a busy host

  @TempDir
  Path dataDir;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void llmCallsGoOn_everythingElseFailsFast_andNothingIsLost() {
    TestDatabase.requirePostgres();
    PostgresTestDatabase database = PostgresTestDatabase.create();
    try (StandaloneReef reef = new StandaloneReef(dataDir, database)) {
      Api api = reef.start(Map.of()).api();
      GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, "outage");
      ReefApplicationIT.SignedUp owner = ReefApplicationIT.signUp(api, "Outage");
      String tenantId = owner.tenantId();
      String key = owner.apiKey();
      catalog.generousLimits(tenantId);
      String usage = "/api/v1/tenants/" + tenantId + "/usage";
      assertThat(chat(api, key, catalog.gpt).status()).isEqualTo(200);

      database.refuseConnections();
      List<Integer> during = new ArrayList<>();
      for (int i = 0; i < 10; i++) { // about six seconds: past every cache's freshness
        during.add(chat(api, key, catalog.gpt).status());
        sleep(600);
      }
      assertThat(during).as("LLM calls through the outage").containsOnly(200);

      long t0 = System.nanoTime();
      Api.Response report = api.get(usage, key);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the usage API gives up quickly").isLessThan(FAST);
      assertThat(report.status()).as(report.toString()).isEqualTo(503);
      assertThat(report.at("/type")).isEqualTo("urn:reef:problem:database-unavailable");
      assertThat(report.headers().firstValue("Retry-After")).hasValue("5");

      t0 = System.nanoTime();
      Api.Response stranger = chat(api, "reef_sk_" + UUID.randomUUID().toString().replace("-", ""), catalog.gpt);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(FAST);
      assertThat(stranger.status()).as("a key Reef cannot check: neither served nor called unknown").isEqualTo(503);
      assertThat(stranger.at("/error/code")).isEqualTo("database_unavailable");

      Api.Response readiness = api.get("/actuator/health/readiness", null);
      assertThat(readiness.status()).as("reported, but still in service").isEqualTo(200);
      assertThat(readiness.at("/status")).isEqualTo("DEGRADED");
      assertThat(api.get("/actuator/health", null).status()).isEqualTo(503);

      database.allowConnections();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> api.get(usage, key).json().at("/totals/requests").asLong() == 11);
      assertThat(api.get("/actuator/health/readiness", null).at("/status")).isEqualTo("UP");
    } finally {
      database.drop();
    }
  }

  private static Api.Response chat(Api api, String key, String model) {
    return api.post("/v1/chat/completions", key, Api.body("model", model,
        "messages", List.of(Map.of("role", "user", "content", "hello"))));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
