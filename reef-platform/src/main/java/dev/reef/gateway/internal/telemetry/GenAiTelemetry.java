package dev.reef.gateway.internal.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Every LLM call through the proxy as OpenTelemetry sees it, following the GenAI semantic conventions: a
 * {@code CLIENT} span named {@code "{gen_ai.operation.name} {gen_ai.request.model}"} with the model asked for and
 * the one that answered, the provider and the tokens; and the two GenAI client metrics,
 * {@code gen_ai.client.operation.duration} and {@code gen_ai.client.token.usage}. Sent over OTLP/HTTP to
 * {@code REEF_OTEL_ENDPOINT} by the OpenTelemetry SDK, in batches off the request path; without an endpoint nothing
 * is built and a call costs one boolean check.
 *
 * <p>Tenants and agents are attributes ({@code reef.tenant.id}, {@code reef.agent.id}) unless the operator turns
 * them off ({@code REEF_OTEL_TENANT_ATTRIBUTE=false}). Prompts and answers are never exported.
 */
@Component
public final class GenAiTelemetry implements DisposableBean {

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> REEF_PROVIDER = AttributeKey.stringKey("reef.provider");
  static final AttributeKey<String> REEF_OUTCOME = AttributeKey.stringKey("reef.outcome");
  static final AttributeKey<Boolean> REEF_BYOK = AttributeKey.booleanKey("reef.byok");
  static final AttributeKey<String> REEF_TENANT = AttributeKey.stringKey("reef.tenant.id");
  static final AttributeKey<String> REEF_AGENT = AttributeKey.stringKey("reef.agent.id");

  private static final Logger log = LoggerFactory.getLogger(GenAiTelemetry.class);

  private final OtelProperties properties;
  private final SdkTracerProvider tracers;
  private final SdkMeterProvider meters;
  private final Tracer tracer;
  private final DoubleHistogram duration;
  private final LongHistogram tokenUsage;

  GenAiTelemetry(OtelProperties properties) {
    this.properties = properties;
    if (!properties.enabled()) {
      tracers = null;
      meters = null;
      tracer = null;
      duration = null;
      tokenUsage = null;
      return;
    }
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), properties.serviceName())));
    tracers = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                .setEndpoint(properties.endpoint() + "/v1/traces").build())
            .setScheduleDelay(Duration.ofSeconds(1)).build())
        .build();
    meters = SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
                .setEndpoint(properties.endpoint() + "/v1/metrics").build())
            .setInterval(properties.metricInterval()).build())
        .build();
    tracer = tracers.get("dev.reef.gateway");
    Meter meter = meters.get("dev.reef.gateway");
    // the bucket boundaries the GenAI conventions advise for each
    duration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
        .setDescription("GenAI operation duration")
        .setExplicitBucketBoundariesAdvice(List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
            10.24, 20.48, 40.96, 81.92))
        .build();
    tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
        .setDescription("Measures number of input and output tokens used")
        .setExplicitBucketBoundariesAdvice(List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L,
            1048576L, 4194304L, 16777216L, 67108864L))
        .build();
    log.info("Exporting LLM call traces and metrics (OpenTelemetry GenAI conventions) to {}{}",
        properties.endpoint(), properties.tenantAttribute() ? ", with tenant and agent ids" : "");
  }

  public boolean enabled() {
    return tracer != null;
  }

  /**
   * One finished call.
   *
   * @param endpoint the proxy's endpoint, e.g. {@code chat.completions}
   * @param providerType e.g. {@code openai}; null when no provider was tried
   * @param outcome {@code ok}, {@code error} or {@code cancelled}
   * @param errorType for a failed call, what failed (an HTTP status, {@code timeout}, …)
   */
  public record Call(String endpoint, String providerType, String providerName, String requestedModel,
      String responseModel, long inputTokens, long outputTokens, boolean byok, String outcome, String errorType,
      UUID tenantId, UUID agentId, Instant startedAt, Instant finishedAt, long elapsedNanos) {}

  public void finished(Call call) {
    if (!enabled()) {
      return;
    }
    String operation = operation(call.endpoint());
    AttributesBuilder common = Attributes.builder().put(OPERATION, operation)
        .put(REQUEST_MODEL, call.requestedModel() == null ? "" : call.requestedModel());
    if (call.providerType() != null) {
      common.put(PROVIDER, call.providerType()).put(REEF_PROVIDER, call.providerName());
    }
    if (call.responseModel() != null) {
      common.put(RESPONSE_MODEL, call.responseModel());
    }
    if (call.errorType() != null) {
      common.put(ERROR_TYPE, call.errorType());
    }
    if (properties.tenantAttribute()) {
      common.put(REEF_TENANT, call.tenantId().toString());
      if (call.agentId() != null) {
        common.put(REEF_AGENT, call.agentId().toString());
      }
    }
    Attributes metricAttributes = common.build();
    Span span = tracer.spanBuilder(operation + " " + call.requestedModel()).setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(call.startedAt()).setAllAttributes(metricAttributes)
        .setAttribute(INPUT_TOKENS, call.inputTokens()).setAttribute(OUTPUT_TOKENS, call.outputTokens())
        .setAttribute(REEF_OUTCOME, call.outcome()).setAttribute(REEF_BYOK, call.byok())
        .startSpan();
    if (call.errorType() != null) {
      span.setStatus(StatusCode.ERROR, call.errorType());
    }
    span.end(call.finishedAt());
    duration.record(call.elapsedNanos() / 1e9, metricAttributes);
    if (call.inputTokens() + call.outputTokens() > 0) {
      tokenUsage.record(call.inputTokens(), metricAttributes.toBuilder().put(TOKEN_TYPE, "input").build());
      tokenUsage.record(call.outputTokens(), metricAttributes.toBuilder().put(TOKEN_TYPE, "output").build());
    }
  }

  /** The GenAI conventions' operation name for a proxy endpoint. */
  static String operation(String endpoint) {
    return switch (endpoint) {
      case "embeddings" -> "embeddings";
      default -> "chat"; // chat completions, messages and responses all hold a conversation's turn
    };
  }

  /** Sends what is pending now (tests; shutdown does it too). */
  public void flush() {
    if (enabled()) {
      tracers.forceFlush().join(10, TimeUnit.SECONDS);
      meters.forceFlush().join(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void destroy() {
    if (enabled()) {
      tracers.shutdown().join(10, TimeUnit.SECONDS);
      meters.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
