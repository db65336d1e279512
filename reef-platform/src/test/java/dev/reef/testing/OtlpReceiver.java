package dev.reef.testing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OpenTelemetry collector as far as tests need one: OTLP over HTTP ({@code /v1/traces}, {@code /v1/metrics},
 * protobuf), keeping what it receives, decoded with the OTLP protocol's own classes.
 */
public final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
  private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();

  public OtlpReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v1/traces", exchange -> {
      traces.add(ExportTraceServiceRequest.parseFrom(body(exchange.getRequestBody(),
          exchange.getRequestHeaders().getFirst("Content-Encoding"))));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.createContext("/v1/metrics", exchange -> {
      metrics.add(ExportMetricsServiceRequest.parseFrom(body(exchange.getRequestBody(),
          exchange.getRequestHeaders().getFirst("Content-Encoding"))));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every span received, with the resource's attributes alongside. */
  public List<Received<Span>> spans() {
    List<Received<Span>> out = new ArrayList<>();
    for (ExportTraceServiceRequest request : traces) {
      request.getResourceSpansList().forEach(resource -> resource.getScopeSpansList().forEach(scope ->
          scope.getSpansList().forEach(span -> out.add(new Received<>(resource.getResource(), span)))));
    }
    return out;
  }

  public List<Received<Metric>> metrics() {
    List<Received<Metric>> out = new ArrayList<>();
    for (ExportMetricsServiceRequest request : metrics) {
      request.getResourceMetricsList().forEach(resource -> resource.getScopeMetricsList().forEach(scope ->
          scope.getMetricsList().forEach(metric -> out.add(new Received<>(resource.getResource(), metric)))));
    }
    return out;
  }

  public record Received<T>(io.opentelemetry.proto.resource.v1.Resource resource, T item) {}

  /** A string, integer or boolean attribute's value as text; null when absent. */
  public static String attribute(List<io.opentelemetry.proto.common.v1.KeyValue> attributes, String key) {
    for (var kv : attributes) {
      if (kv.getKey().equals(key)) {
        var v = kv.getValue();
        return switch (v.getValueCase()) {
          case STRING_VALUE -> v.getStringValue();
          case INT_VALUE -> Long.toString(v.getIntValue());
          case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
          case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
          default -> v.toString();
        };
      }
    }
    return null;
  }

  private static byte[] body(InputStream in, String encoding) throws IOException {
    try (InputStream body = "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(in) : in) {
      return body.readAllBytes();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
