package dev.reef.common;

import java.net.URI;

/**
 * Every kind of error Reef's API returns, as RFC 9457 problem types. The {@code type} URI is stable: clients may
 * switch on it. The list is the contract documented in docs/problems.md.
 */
public enum ProblemType {
  INVALID_REQUEST("invalid-request", 400, "The request is invalid"),
  MALFORMED_JSON("malformed-json", 400, "The request body is not valid JSON"),
  UNKNOWN_FIELD("unknown-field", 400, "The request body has a field Reef does not know"),
  UNAUTHENTICATED("unauthenticated", 401, "Authentication is required"),
  FORBIDDEN("forbidden", 403, "Not allowed"),
  TENANT_SUSPENDED("tenant-suspended", 403, "The tenant is suspended"),
  SIGNUP_CLOSED("signup-closed", 403, "Sign-up is closed"),
  QUOTA_EXCEEDED("quota-exceeded", 403, "A limit of the tenant's plan is reached"),
  NOT_FOUND("not-found", 404, "Not found"),
  METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
  NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
  CONFLICT("conflict", 409, "Conflict"),
  PAYLOAD_TOO_LARGE("payload-too-large", 413, "The request body is too large"),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
  TOO_MANY_REQUESTS("too-many-requests", 429, "Too many requests"),
  AGENT_UNAVAILABLE("agent-unavailable", 503, "The agent is not available"),
  CHANNEL_UNREACHABLE("channel-unreachable", 502, "The chat channel's service could not be reached"),
  SANDBOX_UNAVAILABLE("sandbox-unavailable", 503, "Agents cannot be sandboxed on this machine"),
  DATABASE_UNAVAILABLE("database-unavailable", 503, "Reef's database cannot be reached"),
  INTERNAL("internal-error", 500, "Internal error"),
  UNAVAILABLE("unavailable", 503, "Service unavailable");

  private static final String PREFIX = "urn:reef:problem:";

  private final String slug;
  private final int status;
  private final String title;

  ProblemType(String slug, int status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  public URI uri() {
    return URI.create(PREFIX + slug);
  }

  public String slug() {
    return slug;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }
}
