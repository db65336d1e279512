package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A provider's capacity is shared fairly: while tenant A floods the proxy, tenant B's requests still complete with
 * bounded extra latency, instead of queueing behind every one of A's.
 */
class ProviderFairnessIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final Duration UPSTREAM_LATENCY = Duration.ofMillis(200);

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void flood_fromOneTenant_doesNotStarveAnother() throws Exception {
    String name = unique("fair");
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, name);
    // a provider that takes only two calls at a time
    api.put("/api/v1/providers/" + catalog.openAiProvider, MASTER_KEY, Map.of("type", "openai",
        "baseUrl", UPSTREAM.openAiBaseUrl(), "maxConcurrency", 2));
    UPSTREAM.latency(UPSTREAM_LATENCY);
    SignedUp flooder = signUp("Flooder");
    SignedUp neighbour = signUp("Neighbour");
    catalog.generousLimits(flooder.tenantId());
    catalog.generousLimits(neighbour.tenantId());
    Map<String, Object> body = Api.body("model", catalog.gpt, "messages", List.of(Map.of("role", "user",
        "content", "Hi")));

    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> flood = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        flood.add(pool.submit(() -> api.post("/v1/chat/completions", flooder.apiKey(), body).status()));
      }
      Thread.sleep(300); // the flood is queued: 40 calls x 200 ms over 2 slots is 4 s of work
      List<Long> neighbourMillis = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        assertThat(api.post("/v1/chat/completions", neighbour.apiKey(), body).status()).isEqualTo(200);
        neighbourMillis.add((System.nanoTime() - t0) / 1_000_000);
      }
      for (Future<Integer> f : flood) {
        assertThat(f.get()).isEqualTo(200);
      }
      // Fair: one of A's calls ahead at most, then B's own: about 2 x 200 ms. Unfair (FIFO) would be ~4 s.
      System.out.println("neighbour latencies while flooded (ms): " + neighbourMillis);
      assertThat(neighbourMillis).allSatisfy(ms -> assertThat(ms).isLessThan(1500));
      assertThat(UPSTREAM.maxConcurrentRequests()).as("the provider never saw more than its capacity")
          .isLessThanOrEqualTo(2);
    }
  }
}
