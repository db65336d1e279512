package dev.reef.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Stand-ins for Slack's and Discord's APIs (Reef's {@code REEF_CHANNELS_SLACK_API_ROOT} and
 * {@code REEF_CHANNELS_DISCORD_API_ROOT} in tests): Discord's REST API and gateway ({@link FakeDiscordGateway}) as
 * far as a bot answering direct messages uses them, {@link #sendDiscordDm} a person's message; Slack's Web API as far as a bot
 * uses it (each call recorded, answered for the tokens this fake made, others refused with {@code invalid_auth} as
 * Slack does) and Socket Mode: {@code apps.connections.open} hands out a WebSocket on this fake
 * ({@link FakeSlackSocket}), where {@link #sendSlackDm} delivers a person's message as Slack would. One per test
 * JVM.
 */
public final class FakeChatApps {

  private static volatile FakeChatApps shared;

  /** A Slack app: its bot token, app-level token and bot user. */
  public record SlackApp(String botToken, String appToken, String botUserId, String botName) {}

  /** A Discord bot. */
  public record DiscordBot(String token, String id, String username) {}

  private final HttpServer server;
  private final Map<String, SlackApp> slackBots = new ConcurrentHashMap<>();
  private final Map<String, SlackApp> slackApps = new ConcurrentHashMap<>();
  private final Map<String, DiscordBot> discordBots = new ConcurrentHashMap<>();
  private final Map<String, java.util.List<SlackCall>> slackCalls = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger standIns = new java.util.concurrent.atomic.AtomicInteger();
  private final FakeSlackSocket sockets = new FakeSlackSocket();
  private final FakeDiscordGateway discordGateway = new FakeDiscordGateway(token -> {
    DiscordBot bot = discordBots.get(token);
    return bot == null ? null : bot.id();
  });
  private final Map<String, java.util.List<DiscordCall>> discordCalls = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong snowflakes = new java.util.concurrent.atomic.AtomicLong(
      1_300_000_000_000_000_000L);

  /** A REST call a Discord bot's token made: method, path (below the API version) and body. */
  public record DiscordCall(String method, String path, String body) {}

  /** A Web API call a Slack app's tokens made: its method and parameters (form or JSON, as text). */
  public record SlackCall(String method, String parameters) {}

  private FakeChatApps() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public static synchronized FakeChatApps shared() {
    if (shared == null) {
      shared = new FakeChatApps();
    }
    return shared;
  }

  public String slackRoot() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/slack";
  }

  public String discordRoot() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/discord";
  }

  public String discordGatewayUrl() {
    return discordGateway.url();
  }

  public SlackApp newSlackApp(String name) {
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase();
    SlackApp app = new SlackApp("xoxb-" + id + "-" + UUID.randomUUID().toString().replace("-", ""),
        "xapp-1-" + id + "-" + UUID.randomUUID().toString().replace("-", ""), "U" + id, name);
    slackBots.put(app.botToken(), app);
    slackApps.put(app.appToken(), app);
    return app;
  }

  public DiscordBot newDiscordBot(String name) {
    String id = Long.toString(100_000_000_000_000_000L + (long) (Math.random() * 1e17));
    // shaped as Discord's: base64 of the bot's id, a timestamp part, an HMAC part
    String token = java.util.Base64.getEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8))
        + ".GfAkE1." + UUID.randomUUID().toString().replace("-", "");
    DiscordBot bot = new DiscordBot(token, id, name);
    discordBots.put(token, bot);
    return bot;
  }

  /** The REST calls made with this bot's token, in order. */
  public java.util.List<DiscordCall> discordCalls(DiscordBot bot) {
    return java.util.List.copyOf(discordCalls.getOrDefault(bot.id(), java.util.List.of()));
  }

  /** Whether the bot has a gateway session (it identified with its real token). */
  public boolean discordIdentified(DiscordBot bot) {
    return discordGateway.identified(bot.id());
  }

  /** Every token an IDENTIFY or RESUME showed the gateway. */
  public java.util.List<String> discordGatewayTokens() {
    return discordGateway.tokensShown();
  }

  /** A person writes to the bot directly, as Discord's gateway delivers it; answers the message's id. */
  public String sendDiscordDm(DiscordBot bot, String userId, String text) {
    String messageId = Long.toString(snowflakes.incrementAndGet());
    discordGateway.dispatch(bot.id(), "MESSAGE_CREATE", "{\"id\":\"" + messageId + "\",\"channel_id\":\""
        + dmChannel(bot) + "\",\"author\":{\"id\":\"" + userId + "\",\"username\":\"person\","
        + "\"discriminator\":\"0\",\"global_name\":\"A Person\"},\"content\":" + Api.JSON.writeValueAsString(text)
        + ",\"timestamp\":\"" + java.time.Instant.now() + "\",\"edited_timestamp\":null,\"tts\":false,"
        + "\"mention_everyone\":false,\"mentions\":[],\"mention_roles\":[],\"attachments\":[],\"embeds\":[],"
        + "\"pinned\":false,\"type\":0,\"flags\":0}");
    return messageId;
  }

  private static String dmChannel(DiscordBot bot) {
    return Long.toString(Long.parseLong(bot.id()) + 1);
  }

  /** The Web API calls made with this app's tokens, in order. */
  public java.util.List<SlackCall> slackCalls(SlackApp app) {
    return java.util.List.copyOf(slackCalls.getOrDefault(app.botUserId(), java.util.List.of()));
  }

  /** Slack Web API calls made with one of the stand-in tokens Reef gives agents, which Reef should have swapped. */
  public int standInTokensSeen() {
    return standIns.get();
  }

  /** Whether the app has a Socket Mode connection open (it has been said hello to). */
  public boolean slackConnected(SlackApp app) {
    return sockets.connected(app.botUserId());
  }

  /** A person writes to the app's bot directly, as Slack delivers it over Socket Mode; answers the envelope id. */
  public String sendSlackDm(SlackApp app, String user, String text) {
    String ts = String.format("%d.%06d", System.currentTimeMillis() / 1000, System.nanoTime() % 1_000_000);
    String envelope = UUID.randomUUID().toString();
    String event = "{\"envelope_id\":\"" + envelope + "\",\"type\":\"events_api\",\"accepts_response_payload\":false,"
        + "\"retry_attempt\":0,\"retry_reason\":\"\",\"payload\":{\"token\":\"verification\",\"team_id\":\"T1\","
        + "\"api_app_id\":\"A" + app.botUserId() + "\",\"type\":\"event_callback\",\"event_id\":\"Ev" + envelope
        .substring(0, 8) + "\",\"event_time\":" + System.currentTimeMillis() / 1000 + ",\"event\":{\"type\":\"message\","
        + "\"channel_type\":\"im\",\"channel\":\"D" + app.botUserId() + "\",\"user\":\"" + user + "\",\"text\":"
        + Api.JSON.writeValueAsString(text) + ",\"ts\":\"" + ts + "\",\"event_ts\":\"" + ts + "\",\"team\":\"T1\"},"
        + "\"authorizations\":[{\"team_id\":\"T1\",\"user_id\":\"" + app.botUserId() + "\",\"is_bot\":true}]}}";
    sockets.send(app.botUserId(), event);
    return envelope;
  }

  /** Whether the agent acknowledged the envelope (Slack redelivers what is not). */
  public boolean slackAcknowledged(String envelopeId) {
    return sockets.acknowledged(envelopeId);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      auth = auth == null ? "" : auth;
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (path.startsWith("/discord/")) {
        discord(exchange, path.substring("/discord".length()), auth.replaceFirst("^Bot ", ""), body);
        return;
      }
      if (path.startsWith("/slack/") && !path.equals("/slack/auth.test")
          && !path.equals("/slack/apps.connections.open")) {
        slackMethod(exchange, path.substring("/slack/".length()), auth.replaceFirst("^Bearer ", ""), body);
        return;
      }
      switch (path) {
        case "/slack/auth.test" -> {
          SlackApp app = slackBots.get(auth.replaceFirst("^Bearer ", ""));
          respond(exchange, 200, app == null ? "{\"ok\":false,\"error\":\"invalid_auth\"}"
              : "{\"ok\":true,\"url\":\"https://fake.slack.com/\",\"team\":\"Fake\",\"user\":\"" + app.botName()
              + "\",\"team_id\":\"T1\",\"user_id\":\"" + app.botUserId() + "\",\"bot_id\":\"B1\"}");
        }
        case "/slack/apps.connections.open" -> {
          SlackApp app = slackApps.get(auth.replaceFirst("^Bearer ", ""));
          if (auth.startsWith("Bearer " + dev.reef.orchestration.AgentChannel.Slack.APP_STAND_IN)) {
            standIns.incrementAndGet();
          }
          if (app != null) {
            slackCalls.computeIfAbsent(app.botUserId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new SlackCall("apps.connections.open", ""));
          }
          respond(exchange, 200, app == null ? "{\"ok\":false,\"error\":\"invalid_auth\"}"
              : "{\"ok\":true,\"url\":\"" + sockets.url(app.botUserId()) + "\"}");
        }
        default -> respond(exchange, 404, "{\"ok\":false,\"error\":\"unknown_method\"}");
      }
    }
  }

  /**
   * Discord's REST API as far as OpenClaw's Discord plugin uses it for direct messages: each call with a bot's
   * token recorded and answered as Discord would; any other token 401.
   */
  private void discord(HttpExchange exchange, String path, String token, byte[] body) throws IOException {
    DiscordBot bot = discordBots.get(token);
    if (bot == null) {
      if (token.contains(dev.reef.orchestration.AgentChannel.Discord.STAND_IN_MARK)) {
        standIns.incrementAndGet();
      }
      respond(exchange, 401, "{\"message\":\"401: Unauthorized\",\"code\":0}");
      return;
    }
    String method = exchange.getRequestMethod();
    discordCalls.computeIfAbsent(bot.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(new DiscordCall(method, path, new String(body, StandardCharsets.UTF_8)));
    String user = "{\"id\":\"" + bot.id() + "\",\"username\":\"" + bot.username()
        + "\",\"discriminator\":\"0\",\"bot\":true}";
    String channel = dmChannel(bot);
    exchange.getResponseHeaders().set("X-RateLimit-Limit", "5");
    exchange.getResponseHeaders().set("X-RateLimit-Remaining", "4");
    exchange.getResponseHeaders().set("X-RateLimit-Reset-After", "1");
    exchange.getResponseHeaders().set("X-RateLimit-Bucket", "fake");
    if (path.equals("/users/@me")) {
      respond(exchange, 200, user);
    } else if (path.equals("/gateway/bot") || path.equals("/gateway")) {
      respond(exchange, 200, "{\"url\":\"" + discordGateway.url() + "\",\"shards\":1,\"session_start_limit\":"
          + "{\"total\":1000,\"remaining\":999,\"reset_after\":0,\"max_concurrency\":1}}");
    } else if (path.equals("/oauth2/applications/@me") || path.equals("/applications/@me")) {
      respond(exchange, 200, "{\"id\":\"" + bot.id() + "\",\"name\":\"" + bot.username() + "\",\"flags\":0,"
          + "\"bot\":" + user + "}");
    } else if (path.matches("/applications/\\d+/commands.*")) {
      respond(exchange, 200, "[]");
    } else if (path.equals("/channels/" + channel)) {
      respond(exchange, 200, "{\"id\":\"" + channel + "\",\"type\":1,\"last_message_id\":null,\"recipients\":"
          + "[{\"id\":\"1\",\"username\":\"person\",\"discriminator\":\"0\"}]}");
    } else if (path.matches("/channels/\\d+/messages(/\\d+)?") && !method.equals("GET")
        && !method.equals("DELETE")) {
      JsonNodeText content = JsonNodeText.of(body);
      respond(exchange, 200, "{\"id\":\"" + snowflakes.incrementAndGet() + "\",\"channel_id\":\"" + channel
          + "\",\"author\":" + user + ",\"content\":" + Api.JSON.writeValueAsString(content.text())
          + ",\"timestamp\":\"" + java.time.Instant.now() + "\",\"edited_timestamp\":null,\"tts\":false,"
          + "\"mention_everyone\":false,\"mentions\":[],\"mention_roles\":[],\"attachments\":[],"
          + "\"embeds\":[],\"pinned\":false,\"type\":0,\"flags\":0}");
    } else if (path.matches("/channels/\\d+/messages.*") && method.equals("GET")) {
      respond(exchange, 200, "[]");
    } else if (path.matches("/users/\\d+")) {
      respond(exchange, 200, "{\"id\":\"" + path.substring("/users/".length()) + "\",\"username\":\"person\","
          + "\"discriminator\":\"0\"}");
    } else if (path.equals("/users/@me/channels")) {
      respond(exchange, 200, "{\"id\":\"" + channel + "\",\"type\":1}");
    } else {
      exchange.sendResponseHeaders(204, -1); // typing, reactions and whatever else: done
    }
  }

  /** A message body's {@code content}, or the body itself when it is not JSON (multipart). */
  private record JsonNodeText(String text) {
    static JsonNodeText of(byte[] body) {
      String raw = new String(body, StandardCharsets.UTF_8);
      try {
        return new JsonNodeText(Api.JSON.readTree(raw).path("content").asString(raw));
      } catch (RuntimeException e) {
        return new JsonNodeText(raw);
      }
    }
  }

  /** Any other Web API method, for the bot token: recorded, and answered as Slack would for a direct message. */
  private void slackMethod(HttpExchange exchange, String method, String token, byte[] body) throws IOException {
    SlackApp app = slackBots.get(token);
    if (app == null) {
      if (token.startsWith(dev.reef.orchestration.AgentChannel.Slack.BOT_STAND_IN)
          || token.startsWith(dev.reef.orchestration.AgentChannel.Slack.APP_STAND_IN)) {
        standIns.incrementAndGet();
      }
      respond(exchange, 200, "{\"ok\":false,\"error\":\"invalid_auth\"}");
      return;
    }
    String parameters = java.net.URLDecoder.decode(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    slackCalls.computeIfAbsent(app.botUserId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(new SlackCall(method, parameters));
    String ts = String.format("%d.%06d", System.currentTimeMillis() / 1000, System.nanoTime() % 1_000_000);
    String channel = "D" + app.botUserId();
    respond(exchange, 200, switch (method) {
      case "chat.postMessage", "chat.update", "chat.startStream", "chat.appendStream", "chat.stopStream",
           "chat.postEphemeral" -> "{\"ok\":true,\"channel\":\"" + channel + "\",\"ts\":\"" + ts + "\"}";
      case "conversations.info" -> "{\"ok\":true,\"channel\":{\"id\":\"" + channel + "\",\"is_im\":true,"
          + "\"is_channel\":false,\"is_group\":false,\"is_mpim\":false}}";
      case "users.info" -> "{\"ok\":true,\"user\":{\"id\":\"U0PERSON\",\"name\":\"person\",\"real_name\":\"A Person\","
          + "\"is_bot\":false,\"profile\":{\"display_name\":\"A Person\",\"real_name\":\"A Person\"}}}";
      case "conversations.replies", "conversations.history" -> "{\"ok\":true,\"messages\":[],\"has_more\":false}";
      case "conversations.open" -> "{\"ok\":true,\"channel\":{\"id\":\"" + channel + "\"}}";
      case "bots.info" -> "{\"ok\":true,\"bot\":{\"id\":\"B1\",\"name\":\"" + app.botName() + "\"}}";
      case "team.info" -> "{\"ok\":true,\"team\":{\"id\":\"T1\",\"name\":\"Fake\",\"domain\":\"fake\"}}";
      default -> "{\"ok\":true}";
    });
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
