package dev.reef.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.OwnRedis;
import dev.reef.testing.ReefApplicationIT;
import dev.reef.testing.StandaloneReef;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Reef failing open on a Redis of the test's own that is killed under load and started again empty: calls go on
 * unmetered while it is gone, the month's counters are seeded again from the ledger when it is back, and the
 * counters then equal the ledger exactly - every call counted once, by the seed or by its settle or charge.
 */
class RedisRecoveryIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final String PREFIX = "reef-recovery:";

  @TempDir
  Path dataDir;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void redisKilledAndRestartedEmpty_underLoad_failingOpen_countersEqualTheLedgerAfterwards() throws Exception {
    try (OwnRedis redis = OwnRedis.start(); StandaloneReef reef = new StandaloneReef(dataDir)) {
      Api api = reef.start(Map.of("reef.redis.url", redis.url(), "reef.redis.key-prefix", PREFIX,
          "reef.meter.fail-mode", "open")).api();
      GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, "recovery");
      ReefApplicationIT.SignedUp owner = ReefApplicationIT.signUp(api, "Recovery");
      String tenantId = owner.tenantId();
      String key = owner.apiKey();
      catalog.generousLimits(tenantId);
      UPSTREAM.latency(Duration.ofMillis(20)); // calls in flight when Redis dies and when it comes back

      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicInteger answered = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      try (ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < 4; t++) {
          load.submit(() -> {
            while (loading.get()) {
              Api.Response r = api.post("/v1/chat/completions", key, Api.body("model", catalog.gpt,
                  "messages", List.of(Map.of("role", "user", "content", "count me"))));
              (r.status() == 200 ? answered : failed).incrementAndGet();
            }
            return null;
          });
        }
        Thread.sleep(2_000);
        redis.kill();
        Thread.sleep(3_000); // failing open: unmetered calls, their charges queued
        redis.restart(); // empty: the month has no counters
        Thread.sleep(3_000);
        loading.set(false);
      }
      UPSTREAM.latency(Duration.ZERO);
      System.out.printf("answered %d, failed %d%n", answered.get(), failed.get());
      assertThat(failed.get()).as("failing open, nothing is refused").isZero();

      String month = YearMonth.now(ZoneOffset.UTC).toString();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Counted ledger = null;
      Counted counters = null;
      while (System.nanoTime() < deadline) {
        ledger = ledger(api, tenantId, key);
        counters = counters(redis, PREFIX + "{" + tenantId + "}:month:" + month);
        if (ledger.requests() == answered.get() && ledger.equals(counters.withRequests(ledger.requests()))) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(ledger.requests()).as("every answered call is in the ledger").isEqualTo(answered.get());
      assertThat(counters.withRequests(ledger.requests())).as("Redis's counters against the ledger")
          .isEqualTo(ledger);
    }
  }

  record Counted(long requests, long tokens, long spentMicros) {
    Counted withRequests(long n) {
      return new Counted(n, tokens, spentMicros);
    }
  }

  private static Counted ledger(Api api, String tenantId, String key) {
    JsonNode totals = api.get("/api/v1/tenants/" + tenantId + "/usage", key).json().path("totals");
    BigDecimal usd = totals.path("costUsd").decimalValue();
    return new Counted(totals.path("requests").asLong(),
        totals.path("inputTokens").asLong() + totals.path("outputTokens").asLong(),
        usd.movePointRight(6).longValueExact());
  }

  private static Counted counters(OwnRedis redis, String monthKey) {
    RedisClient client = RedisClient.create(redis.url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      Map<String, String> month = connection.sync().hgetall(monthKey);
      return new Counted(-1, Long.parseLong(month.getOrDefault("tokens", "0")),
          Long.parseLong(month.getOrDefault("spent", "0")));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }
}
