package dev.reef.gateway.internal.proxy;

import java.util.LinkedHashMap;
import java.util.Map;

/** The error JSON each API's SDKs know how to read. */
final class ErrorBodies {

  private ErrorBodies() {}

  /** OpenAI: {@code {"error":{"message","type","param","code"}}}. */
  static Map<String, Object> openAi(GatewayException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("param", null);
    error.put("code", e.code());
    return Map.of("error", error);
  }

  /** Anthropic: {@code {"type":"error","error":{"type","message"}}}; Reef's own code is kept alongside. */
  static Map<String, Object> anthropic(GatewayException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("type", anthropicType(e));
    error.put("message", e.getMessage());
    error.put("code", e.code());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "error");
    body.put("error", error);
    return body;
  }

  private static String anthropicType(GatewayException e) {
    return switch (e.status()) {
      case 400, 413, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> "api_error";
    };
  }
}
