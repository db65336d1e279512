package dev.reef.gateway.internal.proxy;

import java.time.Duration;

/**
 * A refusal on the proxy, rendered in the error shape of the API the client speaks (OpenAI or Anthropic) so that
 * official SDKs surface it as a normal API error.
 *
 * @param type the OpenAI-style error type, e.g. {@code invalid_request_error}, {@code rate_limit_error}
 * @param code a stable machine-readable code, e.g. {@code budget_exceeded}, {@code model_not_found}
 */
public final class GatewayException extends RuntimeException {

  private final int status;
  private final String type;
  private final String code;
  private final Duration retryAfter;
  /** Whether the provider that failed was called with the tenant's own key (set where the route is known). */
  private volatile boolean byok;

  public GatewayException(int status, String type, String code, String message) {
    this(status, type, code, message, null);
  }

  public GatewayException(int status, String type, String code, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  public boolean byok() {
    return byok;
  }

  /** Marks it as a failure of a call made with the tenant's own provider key. */
  GatewayException viaTenantKey(boolean tenantKey) {
    this.byok = tenantKey;
    return this;
  }

  static GatewayException invalid(String code, String message) {
    return new GatewayException(400, "invalid_request_error", code, message);
  }

  static GatewayException unauthorized(String message) {
    return new GatewayException(401, "authentication_error", "invalid_api_key", message);
  }
}
