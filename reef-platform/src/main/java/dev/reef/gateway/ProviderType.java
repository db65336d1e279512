package dev.reef.gateway;

import dev.reef.common.InvalidRequestException;

/** The API an upstream speaks. {@code openai} covers every OpenAI-compatible server (OpenAI, OpenRouter, vLLM, Ollama). */
public enum ProviderType {
  OPENAI,
  ANTHROPIC;

  public String json() {
    return name().toLowerCase();
  }

  public static ProviderType parse(String text) {
    for (ProviderType t : values()) {
      if (t.name().equalsIgnoreCase(text)) {
        return t;
      }
    }
    throw new InvalidRequestException("type", "must be openai or anthropic");
  }
}
