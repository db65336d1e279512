package dev.reef.channels.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reef's client of Telegram's Bot API, with the real bot token: checks a token, sets and removes the webhook, and
 * forwards what an agent sends. The token is part of every URL here, so no URL is ever logged or put in an error.
 */
@Component
class TelegramBotApi {

  /** What BotFather hands out: the bot's numeric id, a colon, a secret. */
  static final Pattern TOKEN = Pattern.compile("(\\d{1,20}):[A-Za-z0-9_-]{20,200}");

  /** The bot as Telegram describes it. */
  record Bot(String id, String username) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ChannelsProperties properties;
  private final HttpClient http;

  TelegramBotApi(ChannelsProperties properties) {
    this.properties = properties;
    this.http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  Bot getMe(String token) throws ChannelApiException {
    JsonNode result = call(token, "getMe", Map.of());
    return new Bot(result.path("id").asString(), result.path("username").asString(null));
  }

  void setWebhook(String token, String url, String secret) throws ChannelApiException {
    call(token, "setWebhook", Map.of("url", url, "secret_token", secret, "drop_pending_updates", false));
  }

  void deleteWebhook(String token) throws ChannelApiException {
    call(token, "deleteWebhook", Map.of("drop_pending_updates", false));
  }

  /** An agent's call, as it sent it (a method name and its body), answered as Telegram answered it. */
  HttpResponse<InputStream> forward(String token, String method, String contentType, byte[] body, String query)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(token, method, query)).timeout(properties.timeout());
    if (body.length == 0) {
      request.GET();
    } else {
      request.header("Content-Type", contentType == null ? "application/json" : contentType)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  /** A file an update pointed at ({@code file_path} from getFile). */
  HttpResponse<InputStream> file(String token, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(properties.telegramApiRoot() + "/file/bot" + token + "/"
        + path)).timeout(properties.timeout()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private URI uri(String token, String method, String query) {
    return URI.create(properties.telegramApiRoot() + "/bot" + token + "/" + method
        + (query == null || query.isEmpty() ? "" : "?" + query));
  }

  private JsonNode call(String token, String method, Map<String, Object> parameters) throws ChannelApiException {
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(uri(token, method, null)).timeout(properties.timeout())
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(parameters))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ChannelApiException(0, "Telegram's Bot API could not be reached (" + e.getClass().getSimpleName()
          + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChannelApiException(0, "interrupted");
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (RuntimeException e) {
      throw new ChannelApiException(response.statusCode() == 200 ? 502 : response.statusCode(),
          "Telegram's Bot API answered HTTP " + response.statusCode() + " without a Bot API reply");
    }
    if (!answer.path("ok").asBoolean(false)) {
      int code = answer.path("error_code").asInt(response.statusCode());
      throw new ChannelApiException(code, answer.path("description").asString("HTTP " + response.statusCode()));
    }
    return answer.path("result");
  }
}
