package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard shipped in deploy/grafana names only metrics Reef exports: after one proxy call, every
 * metric its queries use is in {@code /actuator/prometheus}, with the tags its queries group by.
 */
class MetricsIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "reef-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:reef|jvm)_[a-z_]+)");

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void everyMetricTheDashboardQueries_isExported_afterAProxyCall() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("metrics"));
    SignedUp tenant = signUp("Metrics");
    catalog.generousLimits(tenant.tenantId());
    Api.Response call = api.post("/v1/chat/completions", tenant.apiKey(), Map.of("model", catalog.gpt,
        "messages", List.of(Map.of("role", "user", "content", "Hi"))));
    assertThat(call.status()).as(call.toString()).isEqualTo(200);

    Set<String> wanted = new TreeSet<>();
    JsonNode dashboard = Api.JSON.readTree(Files.readString(DASHBOARD));
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asString());
        while (m.find()) {
          wanted.add(m.group(1));
        }
      }
    }
    assertThat(wanted).contains("reef_gateway_calls_seconds_count", "reef_gateway_calls_seconds_bucket",
        "reef_gateway_tokens_total", "reef_agents", "reef_ledger_waiting_records", "reef_ledger_since_flush_seconds",
        "reef_meter_round_trip_seconds");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String exported = api.send("GET", "/actuator/prometheus", null, null, Map.of("Accept", "text/plain"))
          .text();
      for (String metric : wanted) {
        assertThat(exported).as(metric).containsPattern("(?m)^" + metric + "[{ ]");
      }
      assertThat(exported)
          .containsPattern("(?m)^reef_gateway_calls_seconds_count\\{.*provider=\"" + catalog.openAiProvider + "\".*\\}")
          .containsPattern("(?m)^reef_gateway_tokens_total\\{.*model=\"" + catalog.gpt + "\".*type=\"input\"");
      assertThat(exported).containsPattern("(?m)^reef_agents\\{state=\"running\"");
    });
  }
}
