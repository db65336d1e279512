package dev.reef.testing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slack's Socket Mode end, as far as a test needs it: says {@code hello} to each connection, sends the envelopes a
 * test gives it, and notes which the client acknowledged ({@code {"envelope_id": ...}}). One connection per app: a
 * newer one replaces the older.
 */
final class FakeSlackSocket extends TestWebSocketServer {

  private static final Pattern TICKET = Pattern.compile("^/link/\\?ticket=([A-Za-z0-9]+)$");
  private static final Pattern ENVELOPE = Pattern.compile("\"envelope_id\"\\s*:\\s*\"([^\"]+)\"");

  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  FakeSlackSocket() {
    super("fake-slack-socket");
  }

  String url(String app) {
    return "ws://127.0.0.1:" + port() + "/link/?ticket=" + app;
  }

  boolean connected(String app) {
    Connection connection = connections.get(app);
    return connection != null && connection.isOpen();
  }

  boolean acknowledged(String envelopeId) {
    return acknowledged.contains(envelopeId);
  }

  void send(String app, String text) {
    Connection connection = connections.get(app);
    if (connection == null) {
      throw new IllegalStateException("no Socket Mode connection for " + app);
    }
    connection.sendText(text);
  }

  @Override
  boolean opened(String target, Connection connection) {
    Matcher ticket = TICKET.matcher(target);
    if (!ticket.matches()) {
      return false;
    }
    connections.put(ticket.group(1), connection);
    connection.sendText("{\"type\":\"hello\",\"num_connections\":1,\"debug_info\":{\"host\":\"fake\","
        + "\"approximate_connection_time\":18060},\"connection_info\":{\"app_id\":\"A" + ticket.group(1) + "\"}}");
    return true;
  }

  @Override
  void text(Connection connection, String text) {
    Matcher envelope = ENVELOPE.matcher(text);
    if (envelope.find()) {
      acknowledged.add(envelope.group(1));
    }
  }
}
