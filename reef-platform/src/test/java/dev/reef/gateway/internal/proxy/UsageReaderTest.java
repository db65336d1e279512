package dev.reef.gateway.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

class UsageReaderTest {

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void openAiChat_cachedTokensAreInsidePromptTokens() {
    UsageReader reader = new UsageReader(ApiFlavor.CHAT_COMPLETIONS);
    reader.acceptBody(json, bytes("""
        {"usage":{"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":60}}}"""));
    assertThat(reader.counts(999)).isEqualTo(new TokenCounts(100, 60, 20, true));
  }

  @Test
  void wholeBody_usageFoundAfterTheAnswerItSkips() {
    UsageReader reader = new UsageReader(ApiFlavor.CHAT_COMPLETIONS);
    reader.acceptBody(json, bytes("""
        {"id":"x","choices":[{"message":{"content":"{\\"usage\\":{\\"prompt_tokens\\":1} [nested]",
         "usage":{"prompt_tokens":2}}}],"created":1,"usage":{"prompt_tokens":7,"completion_tokens":3}}"""));
    assertThat(reader.counts(999)).isEqualTo(new TokenCounts(7, 0, 3, true));
  }

  @Test
  void wholeBody_withoutUsage_chargesTheEstimate() {
    for (String body : new String[] {"{\"choices\":[]}", "{\"usage\":null}", "[{\"usage\":{}}]", "\"text\""}) {
      UsageReader reader = new UsageReader(ApiFlavor.CHAT_COMPLETIONS);
      reader.acceptBody(json, bytes(body));
      assertThat(reader.counts(50)).as(body).isEqualTo(new TokenCounts(50, 0, 0, false));
    }
  }

  @Test
  void wholeBody_notJson_throws() {
    UsageReader reader = new UsageReader(ApiFlavor.CHAT_COMPLETIONS);
    assertThatThrownBy(() -> reader.acceptBody(json, bytes("{\"choices\":[oops], \"usage\":{}}")))
        .isInstanceOf(JacksonException.class);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anthropicStream_startAndDeltaMerged_cacheCountedOnce() {
    UsageReader reader = new UsageReader(ApiFlavor.MESSAGES);
    reader.acceptEvent(json.readTree("""
        {"type":"message_start","message":{"usage":{"input_tokens":10,"cache_read_input_tokens":200,
         "cache_creation_input_tokens":30,"output_tokens":1}}}"""));
    reader.acceptEvent(json.readTree("""
        {"type":"content_block_delta","delta":{"type":"text_delta","text":"hello"}}"""));
    reader.acceptEvent(json.readTree("""
        {"type":"message_delta","usage":{"input_tokens":10,"cache_read_input_tokens":200,
         "cache_creation_input_tokens":30,"output_tokens":42}}"""));
    assertThat(reader.counts(999)).isEqualTo(new TokenCounts(240, 200, 42, true));
  }

  @Test
  void anthropicStream_deltaWithOnlyOutput_keepsStartsPrompt() {
    UsageReader reader = new UsageReader(ApiFlavor.MESSAGES);
    reader.acceptEvent(json.readTree("""
        {"type":"message_start","message":{"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}"""));
    reader.acceptEvent(json.readTree("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":9}}"));
    assertThat(reader.counts(999)).isEqualTo(new TokenCounts(15, 5, 9, true));
  }

  @Test
  void cutShortStream_chargesEstimatedPromptAndProducedText() {
    UsageReader reader = new UsageReader(ApiFlavor.CHAT_COMPLETIONS);
    reader.acceptEvent(json.readTree("{\"choices\":[{\"delta\":{\"content\":\"abcdefghi\"}}]}"));
    TokenCounts counts = reader.counts(50);
    assertThat(counts.exact()).isFalse();
    assertThat(counts.input()).isEqualTo(50);
    assertThat(counts.output()).isEqualTo(3); // 9 characters, one token per four, rounded up
  }

  @Test
  void responsesStream_readsUsageFromCompletedEvent() {
    UsageReader reader = new UsageReader(ApiFlavor.RESPONSES);
    reader.acceptEvent(json.readTree("{\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}"));
    reader.acceptEvent(json.readTree("""
        {"type":"response.completed","response":{"usage":{"input_tokens":30,"output_tokens":4,
         "input_tokens_details":{"cached_tokens":10}}}}"""));
    assertThat(reader.counts(999)).isEqualTo(new TokenCounts(30, 10, 4, true));
  }
}
