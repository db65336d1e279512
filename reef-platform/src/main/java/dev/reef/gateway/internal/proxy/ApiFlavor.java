package dev.reef.gateway.internal.proxy;

import dev.reef.gateway.ProviderType;

/**
 * The client-facing APIs the proxy speaks: which upstream path serves each for each kind of provider, and which
 * error shape the client expects back.
 */
public enum ApiFlavor {
  CHAT_COMPLETIONS("chat.completions", "/chat/completions", "/v1/chat/completions"),
  EMBEDDINGS("embeddings", "/embeddings", null),
  RESPONSES("responses", "/responses", null),
  MESSAGES("messages", null, "/v1/messages");

  private final String endpoint;
  private final String openAiPath;
  private final String anthropicPath;

  ApiFlavor(String endpoint, String openAiPath, String anthropicPath) {
    this.endpoint = endpoint;
    this.openAiPath = openAiPath;
    this.anthropicPath = anthropicPath;
  }

  /** The name the usage ledger records. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * The upstream path appended to the provider's base URL, or null if that kind of provider does not serve this
   * API (Anthropic serves the OpenAI chat format at {@code /v1/chat/completions} too).
   */
  public String upstreamPath(ProviderType type) {
    return type == ProviderType.OPENAI ? openAiPath : anthropicPath;
  }

  public boolean anthropicErrors() {
    return this == MESSAGES;
  }
}
