package dev.reef.channels.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reef's checks of Slack and Discord credentials before it stores them: Slack's {@code auth.test} (the bot token)
 * and {@code apps.connections.open} (the app-level token Socket Mode needs), Discord's {@code users/@me}. Reef
 * calls nothing else of them: the agent holds the connection. Tokens travel in headers only, never in a URL.
 */
@Component
class ChatAppApis {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Who the token belongs to: the bot's user id and name. */
  record Identity(String id, String name) {}

  private final ChannelsProperties properties;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  ChatAppApis(ChannelsProperties properties) {
    this.properties = properties;
  }

  Identity slackBot(String botToken) throws ChannelApiException {
    JsonNode answer = slack("auth.test", botToken);
    return new Identity(answer.path("user_id").asString(), answer.path("user").asString(null));
  }

  void slackApp(String appToken) throws ChannelApiException {
    slack("apps.connections.open", appToken);
  }

  /** A Socket Mode address for the app (Slack's, short-lived, good for one connection). */
  java.net.URI openSlackSocket(String appToken) throws ChannelApiException {
    JsonNode answer = slack("apps.connections.open", appToken);
    if (!answer.path("url").isString()) {
      throw new ChannelApiException(502, "apps.connections.open answered no url");
    }
    return java.net.URI.create(answer.path("url").asString());
  }

  Identity discordBot(String token) throws ChannelApiException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(properties.discordApiRoot()
        + "/users/@me")).header("Authorization", "Bot " + token).timeout(properties.timeout()).GET().build());
    JsonNode answer = json(response);
    if (response.statusCode() != 200) {
      throw new ChannelApiException(response.statusCode(), answer.path("message").asString("HTTP "
          + response.statusCode()));
    }
    return new Identity(answer.path("id").asString(), answer.path("username").asString(null));
  }

  /**
   * One Web API call of an agent's, sent to Slack with {@code token} (the real one) and Slack's answer as it is:
   * the body and its type as the agent sent them.
   */
  HttpResponse<byte[]> forwardSlack(String method, String token, String contentType, byte[] body, String query)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(properties.slackApiRoot() + "/" + method
        + (query == null || query.isEmpty() ? "" : "?" + query))).header("Authorization", "Bearer " + token)
        .timeout(properties.timeout()).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * One REST call of an agent's, sent to Discord with {@code token} (the real one) and Discord's answer as it is.
   *
   * @param path below the API's version, with its query: {@code /channels/1/messages?limit=5}
   */
  HttpResponse<byte[]> forwardDiscord(String method, String path, String token, String contentType,
      String auditLogReason, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(properties.discordApiRoot() + path))
        .header("Authorization", "Bot " + token).timeout(properties.timeout())
        .method(method, body.length == 0 && !method.equals("POST") && !method.equals("PUT")
            && !method.equals("PATCH") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (auditLogReason != null) {
      request.header("X-Audit-Log-Reason", auditLogReason);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode slack(String method, String token) throws ChannelApiException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(properties.slackApiRoot() + "/"
        + method)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/x-www-form-urlencoded").timeout(properties.timeout())
        .POST(HttpRequest.BodyPublishers.ofString("")).build());
    JsonNode answer = json(response);
    if (!answer.path("ok").asBoolean(false)) {
      // Slack answers 200 with ok=false and a code such as invalid_auth; say 401 for a token it does not take
      String error = answer.path("error").asString("HTTP " + response.statusCode());
      throw new ChannelApiException(error.contains("auth") || error.contains("token") ? 401 : 400, error);
    }
    return answer;
  }

  private HttpResponse<String> send(HttpRequest request) throws ChannelApiException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ChannelApiException(0, "could not be reached (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChannelApiException(0, "interrupted");
    }
  }

  private static JsonNode json(HttpResponse<String> response) throws ChannelApiException {
    try {
      return JSON.readTree(response.body());
    } catch (RuntimeException e) {
      throw new ChannelApiException(502, "HTTP " + response.statusCode() + " without a JSON answer");
    }
  }
}
