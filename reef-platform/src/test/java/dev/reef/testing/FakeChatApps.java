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
 * {@code REEF_CHANNELS_DISCORD_API_ROOT} in tests): Discord's {@code users/@me}; Slack's Web API as far as a bot
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
    String token = "MT" + UUID.randomUUID().toString().replace("-", "") + "." + "GfAkE1."
        + UUID.randomUUID().toString().replace("-", "");
    DiscordBot bot = new DiscordBot(token, id, name);
    discordBots.put(token, bot);
    return bot;
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
        case "/discord/users/@me" -> {
          DiscordBot bot = discordBots.get(auth.replaceFirst("^Bot ", ""));
          respond(exchange, bot == null ? 401 : 200, bot == null ? "{\"message\":\"401: Unauthorized\",\"code\":0}"
              : "{\"id\":\"" + bot.id() + "\",\"username\":\"" + bot.username() + "\",\"bot\":true}");
        }
        default -> respond(exchange, 404, "{\"ok\":false,\"error\":\"unknown_method\"}");
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
