package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI and Anthropic Java SDKs, unchanged, pointed at Reef instead of the provider. */
class OfficialSdkCompatibilityIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;
  private SignedUp tenant;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    UPSTREAM.reset();
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("sdk"));
    }
    tenant = signUp("Sdk User");
    catalog.generousLimits(tenant.tenantId());
  }

  private OpenAIClient openAi(String key) {
    return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(api.base() + "/v1").maxRetries(0).build();
  }

  private AnthropicClient anthropic(String key) {
    return AnthropicOkHttpClient.builder().apiKey(key).baseUrl(api.base()).maxRetries(0).build();
  }

  @Test
  void openAi_chat() {
    ChatCompletion completion = openAi(tenant.apiKey()).chat().completions().create(
        ChatCompletionCreateParams.builder().model(catalog.gpt).addUserMessage("Hi").build());
    assertThat(completion.choices().getFirst().message().content()).hasValue("Hello from the mock provider");
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(7);
  }

  @Test
  void openAi_chatStreaming() {
    try (StreamResponse<ChatCompletionChunk> stream = openAi(tenant.apiKey()).chat().completions()
        .createStreaming(ChatCompletionCreateParams.builder().model(catalog.gpt).addUserMessage("Hi").build())) {
      String text = stream.stream().flatMap(c -> c.choices().stream())
          .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
      assertThat(text).isEqualTo("Hello from the mock provider");
    }
  }

  @Test
  void openAi_errorsSurfaceAsSdkExceptions() {
    assertThatThrownBy(() -> openAi("reef_sk_wrong").chat().completions().create(
        ChatCompletionCreateParams.builder().model(catalog.gpt).addUserMessage("Hi").build()))
        .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.code()).hasValue("invalid_api_key");
        });

    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("requestsPerMinute", 1));
    OpenAIClient client = openAi(tenant.apiKey());
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(catalog.gpt).addUserMessage("Hi")
        .build();
    client.chat().completions().create(params);
    assertThatThrownBy(() -> client.chat().completions().create(params))
        .isInstanceOfSatisfying(RateLimitException.class, e ->
            assertThat(e.code()).hasValue("rate_limit_exceeded"));
  }

  @Test
  void anthropic_messages() {
    Message message = anthropic(tenant.apiKey()).messages().create(MessageCreateParams.builder()
        .model(catalog.claude).maxTokens(64).addUserMessage("Hi").build());
    assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo("Hello from the mock provider");
    assertThat(message.usage().outputTokens()).isEqualTo(7);
  }

  @Test
  void anthropic_messagesStreaming() {
    try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> stream = anthropic(tenant.apiKey()).messages()
        .createStreaming(MessageCreateParams.builder().model(catalog.claude).maxTokens(64).addUserMessage("Hi")
            .build())) {
      String text = stream.stream()
          .flatMap(e -> e.contentBlockDelta().stream())
          .flatMap(d -> d.delta().text().stream())
          .map(t -> t.text()).collect(Collectors.joining());
      assertThat(text).isEqualTo("Hello from the mock provider");
    }
  }

  @Test
  void anthropic_errorsSurfaceAsSdkExceptions() {
    assertThatThrownBy(() -> anthropic("reef_sk_wrong").messages().create(MessageCreateParams.builder()
        .model(catalog.claude).maxTokens(64).addUserMessage("Hi").build()))
        .isInstanceOfSatisfying(AnthropicServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
  }
}
