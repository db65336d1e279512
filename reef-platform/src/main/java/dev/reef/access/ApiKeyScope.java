package dev.reef.access;

import dev.reef.common.InvalidRequestException;

/** What a tenant API key may do; a key never has more rights than the scopes it was given. */
public enum ApiKeyScope {
  /** Read the tenant's resources. */
  READ,
  /** Change the tenant's resources (agents, settings). */
  WRITE,
  /** Manage members, API keys and provider keys. */
  ADMIN,
  /** Call the LLM proxy ({@code /v1/*}). */
  LLM;

  public String json() {
    return name().toLowerCase();
  }

  public static ApiKeyScope parse(String text) {
    for (ApiKeyScope s : values()) {
      if (s.name().equalsIgnoreCase(text)) {
        return s;
      }
    }
    throw new InvalidRequestException("scopes", "unknown scope '" + text + "'; use read, write, admin or llm");
  }
}
