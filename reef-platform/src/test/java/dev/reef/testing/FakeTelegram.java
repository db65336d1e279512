package dev.reef.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for Telegram's Bot API (Reef's {@code REEF_CHANNELS_TELEGRAM_API_ROOT} in tests): bots with tokens it
 * knows ({@code getMe}; any other token is 401, as Telegram answers), the webhook each bot was given
 * ({@code setWebhook} with its secret), and what each bot sent ({@code sendMessage}). {@link #send} plays a person
 * writing to a bot: the update goes to the bot's webhook the way Telegram delivers it. One per test JVM
 * ({@link #shared()}), bots unique per test.
 */
public final class FakeTelegram {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static volatile FakeTelegram shared;

  /** A bot as BotFather made it. */
  public record Bot(String id, String token, String username) {}

  /** A message a bot sent ({@code edit}: an edit of one it sent before, as a streamed reply grows). */
  public record Sent(String chatId, String text, boolean edit) {}

  private record Webhook(String url, String secret) {}

  private final HttpServer server;
  private final AtomicLong ids = new AtomicLong(7_000_000_000L + (System.nanoTime() % 1_000_000) * 1000);
  private final AtomicLong updateIds = new AtomicLong(500_000);
  private final Map<String, Bot> byToken = new ConcurrentHashMap<>();
  private final Map<String, Webhook> webhooks = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Sent>> sent = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<String>> calls = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private FakeTelegram() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public static synchronized FakeTelegram shared() {
    if (shared == null) {
      shared = new FakeTelegram();
    }
    return shared;
  }

  /** What Reef is configured with: the root its Bot API calls go to. */
  public String apiRoot() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public Bot newBot(String name) {
    String id = Long.toString(ids.incrementAndGet());
    Bot bot = new Bot(id, id + ":AAH" + UUID.randomUUID().toString().replace("-", ""),
        name.replaceAll("[^A-Za-z0-9_]", "_") + "_bot");
    byToken.put(bot.token(), bot);
    return bot;
  }

  /** BotFather's /revoke: the token stops working (401). */
  public void revoke(Bot bot) {
    byToken.remove(bot.token());
  }

  /** The webhook URL Reef set for the bot, or null. */
  public String webhookUrl(Bot bot) {
    Webhook hook = webhooks.get(bot.id());
    return hook == null ? null : hook.url();
  }

  /** A person ({@code fromUserId}) writes {@code text} to the bot: Telegram posts the update to the bot's webhook. */
  public Delivery send(Bot bot, long fromUserId, String text) {
    long updateId = updateIds.incrementAndGet();
    return deliver(bot, updateId, update(updateId, fromUserId, text), webhooks.get(bot.id()).secret());
  }

  /** An update as Telegram would send it, with any secret (a wrong one: an impostor). */
  public Delivery deliver(Bot bot, long updateId, String body, String secret) {
    Webhook hook = webhooks.get(bot.id());
    if (hook == null) {
      throw new AssertionError("bot " + bot.username() + " has no webhook");
    }
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hook.url())).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      if (secret != null) {
        request.header("X-Telegram-Bot-Api-Secret-Token", secret);
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Delivery(updateId, body, response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("cannot reach the webhook " + hook.url(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** What Telegram got back from the webhook. */
  public record Delivery(long updateId, String body, int status, String response) {}

  /** The secret the bot's webhook was set with (Telegram sends it back in a header). */
  public String webhookSecret(Bot bot) {
    return webhooks.get(bot.id()).secret();
  }

  public static String update(long updateId, long fromUserId, String text) {
    ObjectNode update = JSON.createObjectNode();
    update.put("update_id", updateId);
    ObjectNode message = update.putObject("message");
    message.put("message_id", updateId % 100_000);
    message.put("date", Instant.now().getEpochSecond());
    ObjectNode chat = message.putObject("chat");
    chat.put("id", fromUserId);
    chat.put("type", "private");
    chat.put("first_name", "Tester");
    ObjectNode from = message.putObject("from");
    from.put("id", fromUserId);
    from.put("is_bot", false);
    from.put("first_name", "Tester");
    message.put("text", text);
    return JSON.writeValueAsString(update);
  }

  /** Messages the bot sent, in order (not their edits). */
  public List<Sent> sent(Bot bot) {
    return sentAndEdited(bot).stream().filter(s -> !s.edit()).toList();
  }

  /** Messages the bot sent and the edits it made to them, in order. */
  public List<Sent> sentAndEdited(Bot bot) {
    return List.copyOf(sent.getOrDefault(bot.id(), new ConcurrentLinkedQueue<>()));
  }

  /** Every Bot API method called with the bot's token, in order. */
  public List<String> calls(Bot bot) {
    return List.copyOf(calls.getOrDefault(bot.id(), new ConcurrentLinkedQueue<>()));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        answer(exchange);
      } catch (RuntimeException e) {
        respond(exchange, 500, "{\"ok\":false,\"error_code\":500,\"description\":\"fake: " + e + "\"}");
      }
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    {
      String path = exchange.getRequestURI().getPath();
      // /bot<token>/<method>
      String[] parts = path.split("/");
      if (parts.length != 3 || !parts[1].startsWith("bot")) {
        respond(exchange, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
        return;
      }
      Bot bot = byToken.get(parts[1].substring(3));
      if (bot == null) {
        respond(exchange, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
        return;
      }
      String method = parts[2];
      calls.computeIfAbsent(bot.id(), b -> new ConcurrentLinkedQueue<>()).add(method);
      byte[] raw = exchange.getRequestBody().readAllBytes();
      JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
      switch (method) {
        case "getMe" -> respond(exchange, 200, "{\"ok\":true,\"result\":{\"id\":" + bot.id()
            + ",\"is_bot\":true,\"first_name\":\"Test bot\",\"username\":\"" + bot.username()
            + "\",\"can_join_groups\":true,\"can_read_all_group_messages\":false,"
            + "\"supports_inline_queries\":false}}");
        case "setWebhook" -> {
          String url = body.path("url").asString("");
          if (!url.startsWith("http")) {
            respond(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":"
                + "\"Bad Request: bad webhook: An HTTPS URL must be provided for webhook\"}");
            return;
          }
          webhooks.put(bot.id(), new Webhook(url, body.path("secret_token").asString(null)));
          respond(exchange, 200, "{\"ok\":true,\"result\":true,\"description\":\"Webhook was set\"}");
        }
        case "deleteWebhook" -> {
          webhooks.remove(bot.id());
          respond(exchange, 200, "{\"ok\":true,\"result\":true}");
        }
        case "editMessageText" -> {
          // a streamed reply: OpenClaw sends a preview, then edits it as the text grows
          sent.computeIfAbsent(bot.id(), b -> new ConcurrentLinkedQueue<>())
              .add(new Sent(body.path("chat_id").asString(), body.path("text").asString(), true));
          respond(exchange, 200, "{\"ok\":true,\"result\":true}");
        }
        case "sendMessage" -> {
          sent.computeIfAbsent(bot.id(), b -> new ConcurrentLinkedQueue<>())
              .add(new Sent(body.path("chat_id").asString(), body.path("text").asString(), false));
          respond(exchange, 200, "{\"ok\":true,\"result\":{\"message_id\":" + updateIds.incrementAndGet()
              + ",\"date\":" + Instant.now().getEpochSecond() + ",\"chat\":{\"id\":" + body.path("chat_id").asString()
              + ",\"type\":\"private\"},\"text\":" + JSON.writeValueAsString(body.path("text").asString()) + "}}");
        }
        case "getUpdates" -> respond(exchange, 409, "{\"ok\":false,\"error_code\":409,\"description\":"
            + "\"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
            + "webhook first\"}");
        default -> respond(exchange, 200, "{\"ok\":true,\"result\":true}");
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
