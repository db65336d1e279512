package dev.reef.gateway.internal.proxy;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * Reads token usage from provider responses, whole or streamed. One instance per call: streamed events are fed in
 * order, and the reader remembers what the provider said and how much text it produced (for charging a stream the
 * client abandoned before the provider's usage arrived).
 *
 * <p>Anthropic streams report usage twice: {@code message_start} carries the prompt (including cache reads and
 * writes) and {@code message_delta} carries running totals. The totals replace, never add to, what came before, so
 * cache tokens are counted once.
 */
final class UsageReader {

  private final ApiFlavor flavor;
  private long input = -1;
  private long cacheRead = -1;
  private long cacheWrite = -1;
  private long output = -1;
  private long producedChars;

  UsageReader(ApiFlavor flavor) {
    this.flavor = flavor;
  }

  /**
   * A whole (non-streamed) response body as the provider sent it. Only its top-level {@code usage} member is read
   * into a tree; the rest (the answer's text) is skipped over, not copied into strings: building the whole tree was
   * the costliest part of relaying an answer.
   *
   * @throws JacksonException when the body is not JSON (up to its usage)
   */
  void acceptBody(JsonMapper json, byte[] body) {
    try (JsonParser parser = json.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
        boolean isUsage = parser.currentName().equals("usage");
        parser.nextToken();
        if (isUsage) {
          JsonNode usage = parser.readValueAsTree();
          acceptUsage(usage == null ? MissingNode.getInstance() : usage);
          return;
        }
        parser.skipChildren();
      }
    }
  }

  /**
   * The part of a whole response that arrived before the provider broke off. Its usage counts if it got that far;
   * otherwise the output is charged by the bytes received (one token per four, as for a stream cut short: the
   * JSON around the text makes that a little more than the text itself).
   */
  void acceptTruncatedBody(JsonMapper json, byte[] received) {
    try {
      acceptBody(json, received);
    } catch (JacksonException cutInsideTheJson) {
      // expected: the body ends mid-value
    }
    if (output < 0) {
      producedChars += received.length;
    }
  }

  private void acceptUsage(JsonNode usage) {
    switch (flavor) {
      case CHAT_COMPLETIONS -> openAiChat(usage);
      case EMBEDDINGS -> {
        input = usage.path("prompt_tokens").asLong(usage.path("total_tokens").asLong(0));
        output = 0;
      }
      case RESPONSES -> responses(usage);
      case MESSAGES -> anthropic(usage);
    }
  }

  /** One streamed event's data. */
  void acceptEvent(JsonNode data) {
    switch (flavor) {
      case CHAT_COMPLETIONS -> {
        if (data.path("usage").isObject()) {
          openAiChat(data.path("usage"));
        }
        for (JsonNode choice : data.path("choices")) {
          JsonNode delta = choice.path("delta");
          producedChars += delta.path("content").asString("").length();
          for (JsonNode call : delta.path("tool_calls")) {
            producedChars += call.path("function").path("arguments").asString("").length();
          }
        }
      }
      case RESPONSES -> {
        String type = data.path("type").asString("");
        if (type.equals("response.output_text.delta") || type.equals("response.function_call_arguments.delta")) {
          producedChars += data.path("delta").asString("").length();
        }
        if (data.path("response").path("usage").isObject()) {
          responses(data.path("response").path("usage"));
        }
      }
      case MESSAGES -> {
        String type = data.path("type").asString("");
        if (type.equals("message_start")) {
          anthropic(data.path("message").path("usage"));
        } else if (type.equals("message_delta")) {
          anthropic(data.path("usage"));
        } else if (type.equals("content_block_delta")) {
          JsonNode delta = data.path("delta");
          producedChars += delta.path("text").asString("").length()
              + delta.path("partial_json").asString("").length() + delta.path("thinking").asString("").length();
        }
      }
      case EMBEDDINGS -> acceptUsage(data.path("usage"));
    }
  }

  /** Whether the provider has reported the output tokens (the stream reached its usage). */
  boolean complete() {
    return input >= 0 && output >= 0;
  }

  /**
   * What to charge. When the provider did not report usage, the prompt is charged at Reef's estimate and the
   * output at one token per four characters produced, rounded up.
   */
  TokenCounts counts(long estimatedInputTokens) {
    boolean exact = complete();
    long cached = Math.max(0, cacheRead);
    long prompt = input >= 0 ? input + cached + Math.max(0, cacheWrite) : estimatedInputTokens;
    long out = output >= 0 ? output : (producedChars + 3) / 4;
    return new TokenCounts(prompt, Math.min(cached, prompt), out, exact);
  }

  private void openAiChat(JsonNode usage) {
    if (usage.isObject()) {
      input = usage.path("prompt_tokens").asLong(0);
      output = usage.path("completion_tokens").asLong(0);
      cacheRead = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
      cacheWrite = 0;
      // OpenAI counts cached tokens inside prompt_tokens; keep "input" as the uncached part so the sum above holds
      input -= cacheRead;
    }
  }

  private void responses(JsonNode usage) {
    if (usage.isObject()) {
      input = usage.path("input_tokens").asLong(0);
      output = usage.path("output_tokens").asLong(0);
      cacheRead = usage.path("input_tokens_details").path("cached_tokens").asLong(0);
      cacheWrite = 0;
      input -= cacheRead;
    }
  }

  private void anthropic(JsonNode usage) {
    if (!usage.isObject()) {
      return;
    }
    // Anthropic's input_tokens excludes cache reads and writes; each field is a running total: last value wins.
    if (usage.hasNonNull("input_tokens")) {
      input = usage.get("input_tokens").asLong();
    }
    if (usage.hasNonNull("cache_read_input_tokens")) {
      cacheRead = usage.get("cache_read_input_tokens").asLong();
    }
    if (usage.hasNonNull("cache_creation_input_tokens")) {
      cacheWrite = usage.get("cache_creation_input_tokens").asLong();
    }
    if (usage.hasNonNull("output_tokens")) {
      output = usage.get("output_tokens").asLong();
    }
  }
}
