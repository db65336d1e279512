package dev.reef.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests: real requests to the running Reef, JSON in and out. */
public final class Api {

  public static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;

  public Api(int port) {
    this.base = "http://localhost:" + port;
  }

  public String base() {
    return base;
  }

  /** A response: status, headers and the body (parsed as JSON when it is JSON). */
  public record Response(int status, java.net.http.HttpHeaders headers, String text) {
    public JsonNode json() {
      return text == null || text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
    }

    public String contentType() {
      return headers.firstValue("content-type").orElse("");
    }

    public String at(String pointer) {
      JsonNode node = json().at(pointer);
      return node.isMissingNode() || node.isNull() ? null : node.asString();
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public Response get(String path, String key) {
    return send("GET", path, key, null, Map.of());
  }

  public Response post(String path, String key, Object body) {
    return send("POST", path, key, body, Map.of());
  }

  public Response put(String path, String key, Object body) {
    return send("PUT", path, key, body, Map.of());
  }

  public Response patch(String path, String key, Object body) {
    return send("PATCH", path, key, body, Map.of());
  }

  public Response delete(String path, String key) {
    return send("DELETE", path, key, null, Map.of());
  }

  /** Sends a request; a String body is sent as-is, anything else as JSON. */
  public Response send(String method, String path, String key, Object body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    Map<String, String> all = new LinkedHashMap<>();
    if (body != null) {
      all.put("Content-Type", "application/json");
    }
    all.put("Accept", "application/json, application/problem+json");
    if (key != null) {
      all.put("Authorization", "Bearer " + key);
    }
    all.putAll(headers);
    all.forEach(request::header);
    String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
    request.method(method, text == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(text));
    return send(request.build());
  }

  public Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static Map<String, Object> body(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
