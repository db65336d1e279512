package dev.reef.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefApplicationIT;
import dev.reef.testing.ReefProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reef on its embedded defaults (an H2 file in the data dir) stopped with SIGTERM, as {@code ./reef up}'s Ctrl-C or
 * a service manager does: the usage journal's last flush reaches the database before the database closes, every
 * time, so nothing waits in the journal for the next start and the log has no failed flush. The flusher is held
 * off (an hour) so that every call of a run is still in the journal when the stop begins.
 */
class EmbeddedShutdownIT {

  private static final int CALLS = 25;
  private static final int STOPS = 3;
  private static final MockUpstream UPSTREAM = new MockUpstream();

  @TempDir
  Path dataDir;
  @TempDir
  Path logDir;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void sigterm_flushesTheJournalBeforeTheDatabaseCloses_everyTime() throws Exception {
    Map<String, Object> settings = Map.of("reef.ledger.flush-interval", "1h");
    String tenantId = null;
    String key = null;
    String model = null;
    for (int stop = 1; stop <= STOPS; stop++) {
      ReefProcess reef = ReefProcess.start("embedded-" + stop, dataDir, logDir, settings);
      boolean stopped = false;
      try {
        Api api = reef.api();
        if (tenantId == null) {
          GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, "shutdown");
          model = catalog.gpt;
          ReefApplicationIT.SignedUp owner = ReefApplicationIT.signUp(api, "Shutdown");
          tenantId = owner.tenantId();
          key = owner.apiKey();
          catalog.generousLimits(tenantId);
        } else {
          assertThat(requests(api, tenantId, key)).as("calls made before stop %d", stop - 1)
              .isEqualTo((long) CALLS * (stop - 1));
        }
        String apiKey = key;
        String modelId = model;
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/models", apiKey).text().contains(modelId));
        for (int i = 0; i < CALLS; i++) {
          Api.Response call = api.post("/v1/chat/completions", key, Api.body("model", model,
              "messages", List.of(Map.of("role", "user", "content", "hello " + i))));
          assertThat(call.status()).as(call.toString()).isEqualTo(200);
        }
        assertThat(segments()).as("the calls wait in the journal (flusher held off)").isNotEmpty();
        reef.close(); // SIGTERM
        stopped = true;
        assertThat(reef.output()).as("stop %d", stop).doesNotContain("Last flush of the usage journal failed")
            .doesNotContain("Database is already closed");
        assertThat(segments()).as("stop %d: the last flush moved every record into the database", stop).isEmpty();
      } finally {
        if (!stopped) {
          reef.close();
        }
      }
    }
    ReefProcess last = ReefProcess.start("embedded-last", dataDir, logDir, settings);
    try {
      assertThat(requests(last.api(), tenantId, key)).isEqualTo((long) CALLS * STOPS);
    } finally {
      last.close();
    }
  }

  private static long requests(Api api, String tenantId, String key) {
    Api.Response usage = api.get("/api/v1/tenants/" + tenantId + "/usage", key);
    assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
    return usage.json().at("/totals/requests").asLong();
  }

  /** Journal segment files left in the ledger directory, by any instance. */
  private List<Path> segments() throws java.io.IOException {
    Path ledger = dataDir.resolve("ledger");
    if (!Files.isDirectory(ledger)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(ledger)) {
      return files.filter(p -> p.getFileName().toString().startsWith("segment-")).toList();
    }
  }
}
