package dev.reef.gateway.internal.telemetry;

import static dev.reef.testing.OtlpReceiver.attribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.OtlpReceiver;
import dev.reef.testing.ReefIT;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Reef's LLM calls as an OpenTelemetry collector receives them (an in-process OTLP/HTTP receiver, decoded with the
 * protocol's own classes): a span per call and the GenAI client metrics, named and attributed as the GenAI
 * semantic conventions say; the tenant attribute can be turned off.
 */
class OpenTelemetryExportIT extends ReefIT {

  private static final OtlpReceiver COLLECTOR = new OtlpReceiver();
  private static final MockUpstream UPSTREAM = new MockUpstream();

  @DynamicPropertySource
  static void otel(DynamicPropertyRegistry registry) {
    registry.add("reef.otel.endpoint", COLLECTOR::endpoint);
    registry.add("reef.otel.metric-interval", () -> "1s");
    registry.add("reef.otel.service-name", () -> "reef-under-test");
  }

  @AfterAll
  static void stop() {
    COLLECTOR.close();
    UPSTREAM.close();
  }

  @Test
  void everyCall_isASpanAndMetrics_withTheGenAiAttributes() {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("otel"));
    SignedUp tenant = signUp("Telemetry");
    catalog.generousLimits(tenant.tenantId());
    UPSTREAM.reply("Traced").usage(12, 5, 0);
    Api.Response ok = api.post("/v1/chat/completions", tenant.apiKey(), Map.of("model", catalog.gpt,
        "messages", List.of(Map.of("role", "user", "content", "Hi"))));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    UPSTREAM.failNext(5, 500); // more than the proxy retries
    Api.Response failed = api.post("/v1/chat/completions", tenant.apiKey(), Map.of("model", catalog.gpt,
        "messages", List.of(Map.of("role", "user", "content", "Hi again"))));
    assertThat(failed.status()).as(failed.toString()).isGreaterThanOrEqualTo(500);

    await().atMost(Duration.ofSeconds(20)).until(() -> spansOf(tenant).size() == 2);
    List<OtlpReceiver.Received<Span>> spans = spansOf(tenant);
    OtlpReceiver.Received<Span> first = spans.stream()
        .filter(s -> s.item().getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR).findFirst().orElseThrow();
    Span span = first.item();
    assertThat(span.getName()).isEqualTo("chat " + catalog.gpt);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(span.getEndTimeUnixNano()).isGreaterThan(span.getStartTimeUnixNano());
    assertThat(attribute(first.resource().getAttributesList(), "service.name")).isEqualTo("reef-under-test");
    assertThat(attribute(span.getAttributesList(), "gen_ai.operation.name")).isEqualTo("chat");
    assertThat(attribute(span.getAttributesList(), "gen_ai.provider.name")).isEqualTo("openai");
    assertThat(attribute(span.getAttributesList(), "gen_ai.request.model")).isEqualTo(catalog.gpt);
    assertThat(attribute(span.getAttributesList(), "gen_ai.response.model")).isEqualTo("gpt-upstream");
    assertThat(attribute(span.getAttributesList(), "gen_ai.usage.input_tokens")).isEqualTo("12");
    assertThat(attribute(span.getAttributesList(), "gen_ai.usage.output_tokens")).isEqualTo("5");
    assertThat(attribute(span.getAttributesList(), "reef.provider")).isEqualTo(catalog.openAiProvider);
    assertThat(span.getAttributesList().toString()).as("no prompt or answer is exported")
        .doesNotContain("Hi").doesNotContain("Traced");

    Span error = spans.stream().map(OtlpReceiver.Received::item)
        .filter(s -> s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR).findFirst().orElseThrow();
    assertThat(attribute(error.getAttributesList(), "error.type")).matches("5\\d\\d");

    // the metrics, with the same attributes: one duration per call, the tokens by type
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(points("gen_ai.client.operation.duration", tenant).stream().mapToLong(HistogramDataPoint::getCount)
          .max().orElse(0)).isGreaterThanOrEqualTo(1);
      assertThat(points("gen_ai.client.token.usage", tenant).stream()
          .filter(p -> "input".equals(attribute(p.getAttributesList(), "gen_ai.token.type")))
          .mapToDouble(HistogramDataPoint::getSum).max().orElse(0)).isEqualTo(12);
    });
    Metric duration = COLLECTOR.metrics().stream().map(OtlpReceiver.Received::item)
        .filter(m -> m.getName().equals("gen_ai.client.operation.duration")).findFirst().orElseThrow();
    assertThat(duration.getUnit()).isEqualTo("s");
  }

  @Test
  void theTenantAttribute_canBeTurnedOff() {
    GenAiTelemetry withoutTenants = new GenAiTelemetry(new OtelProperties(COLLECTOR.endpoint(), "reef-private",
        false, Duration.ofSeconds(1)));
    UUID tenant = UUID.randomUUID();
    Instant now = Instant.now();
    try {
      withoutTenants.finished(new GenAiTelemetry.Call("embeddings", "openai", "p", "private-model", "up", 3, 0,
          false, "ok", null, tenant, UUID.randomUUID(), now.minusMillis(20), now, 20_000_000));
      withoutTenants.flush();
    } finally {
      withoutTenants.destroy();
    }
    Span span = COLLECTOR.spans().stream().map(OtlpReceiver.Received::item)
        .filter(s -> "private-model".equals(attribute(s.getAttributesList(), "gen_ai.request.model")))
        .findFirst().orElseThrow();
    assertThat(span.getName()).isEqualTo("embeddings private-model");
    assertThat(attribute(span.getAttributesList(), "reef.tenant.id")).isNull();
    assertThat(attribute(span.getAttributesList(), "reef.agent.id")).isNull();
    assertThat(span.getAttributesList().toString()).doesNotContain(tenant.toString());
  }

  private static List<OtlpReceiver.Received<Span>> spansOf(SignedUp tenant) {
    return COLLECTOR.spans().stream()
        .filter(s -> tenant.tenantId().equals(attribute(s.item().getAttributesList(), "reef.tenant.id"))).toList();
  }

  private static List<HistogramDataPoint> points(String metric, SignedUp tenant) {
    return COLLECTOR.metrics().stream().map(OtlpReceiver.Received::item).filter(m -> m.getName().equals(metric))
        .flatMap(m -> m.getHistogram().getDataPointsList().stream())
        .filter(p -> tenant.tenantId().equals(attribute(p.getAttributesList(), "reef.tenant.id"))).toList();
  }
}
