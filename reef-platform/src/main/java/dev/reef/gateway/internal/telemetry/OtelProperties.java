package dev.reef.gateway.internal.telemetry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * OpenTelemetry export of LLM calls ({@code REEF_OTEL_*}).
 *
 * @param endpoint the OTLP/HTTP collector's base address (e.g. {@code http://collector:4318}); empty: nothing is
 *     exported and nothing is recorded
 * @param serviceName {@code service.name} of what Reef exports
 * @param tenantAttribute whether spans and metrics carry {@code reef.tenant.id} and {@code reef.agent.id}: an
 *     operator whose collector is shared, or who worries about cardinality, turns it off
 * @param metricInterval how often metrics are sent
 */
@ConfigurationProperties("reef.otel")
public record OtelProperties(String endpoint, String serviceName, Boolean tenantAttribute, Duration metricInterval) {

  public OtelProperties {
    endpoint = endpoint == null ? "" : endpoint.strip().replaceAll("/+$", "");
    serviceName = serviceName == null || serviceName.isBlank() ? "reef" : serviceName.strip();
    tenantAttribute = tenantAttribute == null || tenantAttribute;
    metricInterval = metricInterval == null || metricInterval.isZero() || metricInterval.isNegative()
        ? Duration.ofSeconds(60) : metricInterval;
  }

  public boolean enabled() {
    return !endpoint.isEmpty();
  }
}
