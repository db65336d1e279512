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
 * Stand-ins for the parts of Slack's and Discord's APIs Reef calls to check a bot's credentials (Reef's
 * {@code REEF_CHANNELS_SLACK_API_ROOT} and {@code REEF_CHANNELS_DISCORD_API_ROOT} in tests): Slack's
 * {@code auth.test} and {@code apps.connections.open}, Discord's {@code users/@me}, each answering for the tokens it
 * made and refusing others as the real ones do. One per test JVM.
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

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      auth = auth == null ? "" : auth;
      exchange.getRequestBody().readAllBytes();
      switch (path) {
        case "/slack/auth.test" -> {
          SlackApp app = slackBots.get(auth.replaceFirst("^Bearer ", ""));
          respond(exchange, 200, app == null ? "{\"ok\":false,\"error\":\"invalid_auth\"}"
              : "{\"ok\":true,\"url\":\"https://fake.slack.com/\",\"team\":\"Fake\",\"user\":\"" + app.botName()
              + "\",\"team_id\":\"T1\",\"user_id\":\"" + app.botUserId() + "\",\"bot_id\":\"B1\"}");
        }
        case "/slack/apps.connections.open" -> respond(exchange, 200,
            slackApps.containsKey(auth.replaceFirst("^Bearer ", ""))
                ? "{\"ok\":true,\"url\":\"wss://wss-primary.slack.com/link/?ticket=fake\"}"
                : "{\"ok\":false,\"error\":\"invalid_auth\"}");
        case "/discord/users/@me" -> {
          DiscordBot bot = discordBots.get(auth.replaceFirst("^Bot ", ""));
          respond(exchange, bot == null ? 401 : 200, bot == null ? "{\"message\":\"401: Unauthorized\",\"code\":0}"
              : "{\"id\":\"" + bot.id() + "\",\"username\":\"" + bot.username() + "\",\"bot\":true}");
        }
        default -> respond(exchange, 404, "{\"ok\":false,\"error\":\"unknown_method\"}");
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
