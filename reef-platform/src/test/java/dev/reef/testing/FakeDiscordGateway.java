package dev.reef.testing;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Discord's gateway, as far as a bot's session needs it: HELLO on connecting, heartbeats acknowledged, READY for an
 * IDENTIFY with a token of a bot this fake made (4004 "Authentication failed." for any other, as Discord does), a
 * RESUME answered with "invalid session" (so the client identifies again), and the dispatches a test sends. Notes
 * every token it was shown.
 */
final class FakeDiscordGateway extends TestWebSocketServer {

  private final Function<String, String> botIdOfToken;
  private final Map<String, Connection> sessions = new ConcurrentHashMap<>();
  private final Map<Connection, AtomicInteger> sequences = new ConcurrentHashMap<>();
  private final List<String> tokensShown = new CopyOnWriteArrayList<>();

  /** @param botIdOfToken the bot's id for a token this fake's REST API knows, else null */
  FakeDiscordGateway(Function<String, String> botIdOfToken) {
    super("fake-discord-gateway");
    this.botIdOfToken = botIdOfToken;
  }

  String url() {
    return "ws://127.0.0.1:" + port();
  }

  boolean identified(String botId) {
    Connection connection = sessions.get(botId);
    return connection != null && connection.isOpen();
  }

  List<String> tokensShown() {
    return List.copyOf(tokensShown);
  }

  /** Sends a dispatch (op 0) of this type to the bot's session. */
  void dispatch(String botId, String type, String data) {
    Connection connection = sessions.get(botId);
    if (connection == null) {
      throw new IllegalStateException("no gateway session for bot " + botId);
    }
    int sequence = sequences.computeIfAbsent(connection, c -> new AtomicInteger()).incrementAndGet();
    connection.sendText("{\"op\":0,\"s\":" + sequence + ",\"t\":\"" + type + "\",\"d\":" + data + "}");
  }

  @Override
  boolean opened(String target, Connection connection) {
    connection.sendText("{\"op\":10,\"s\":null,\"t\":null,\"d\":{\"heartbeat_interval\":41250}}");
    return true;
  }

  @Override
  void text(Connection connection, String text) {
    JsonNode frame = Api.JSON.readTree(text);
    switch (frame.path("op").asInt(-1)) {
      case 1 -> connection.sendText("{\"op\":11,\"s\":null,\"t\":null,\"d\":null}");
      case 2 -> {
        String token = frame.at("/d/token").asString("");
        tokensShown.add(token);
        String botId = botIdOfToken.apply(token);
        if (botId == null) {
          connection.close(4004);
          return;
        }
        sessions.put(botId, connection);
        sequences.put(connection, new AtomicInteger());
        dispatch(botId, "READY", "{\"v\":10,\"user\":{\"id\":\"" + botId + "\",\"username\":\"fake-bot\","
            + "\"discriminator\":\"0\",\"bot\":true},\"guilds\":[],\"session_id\":\"" + UUID.randomUUID()
            + "\",\"resume_gateway_url\":\"" + url() + "\",\"shard\":[0,1],\"application\":{\"id\":\"" + botId
            + "\",\"flags\":0}}");
      }
      case 6 -> {
        tokensShown.add(frame.at("/d/token").asString(""));
        connection.sendText("{\"op\":9,\"s\":null,\"t\":null,\"d\":false}");
      }
      default -> { }
    }
  }

  @Override
  void closed(Connection connection) {
    sequences.remove(connection);
    sessions.values().remove(connection);
  }
}
