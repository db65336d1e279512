package dev.reef.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slack's Socket Mode end, as far as a test needs it: a WebSocket server (RFC 6455, text frames, pings answered)
 * that says {@code hello} to each connection, sends the envelopes a test gives it, and notes which the client
 * acknowledged ({@code {"envelope_id": ...}}). One connection per app: a newer one replaces the older.
 */
final class FakeSlackSocket {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Pattern TICKET = Pattern.compile("GET /link/\\?ticket=([A-Za-z0-9]+)");
  private static final Pattern ENVELOPE = Pattern.compile("\"envelope_id\"\\s*:\\s*\"([^\"]+)\"");

  private final ServerSocket server;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  FakeSlackSocket() {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread.ofVirtual().name("fake-slack-socket").start(this::accept);
  }

  String url(String app) {
    return "ws://127.0.0.1:" + server.getLocalPort() + "/link/?ticket=" + app;
  }

  boolean connected(String app) {
    Connection connection = connections.get(app);
    return connection != null && !connection.socket.isClosed();
  }

  boolean acknowledged(String envelopeId) {
    return acknowledged.contains(envelopeId);
  }

  void send(String app, String text) {
    Connection connection = connections.get(app);
    if (connection == null) {
      throw new IllegalStateException("no Socket Mode connection for " + app);
    }
    connection.send(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      Matcher ticket = TICKET.matcher(head);
      Matcher key = Pattern.compile("(?i)sec-websocket-key:\\s*(\\S+)").matcher(head);
      if (!ticket.find() || !key.find()) {
        socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key.group(1) + GUID).getBytes(StandardCharsets.US_ASCII)));
      socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Connection connection = new Connection(socket);
      connections.put(ticket.group(1), connection);
      connection.send(0x1, ("{\"type\":\"hello\",\"num_connections\":1,\"debug_info\":{\"host\":\"fake\","
          + "\"approximate_connection_time\":18060},\"connection_info\":{\"app_id\":\"A" + ticket.group(1) + "\"}}")
          .getBytes(StandardCharsets.UTF_8));
      DataInputStream frames = new DataInputStream(in);
      while (true) {
        int first = frames.readUnsignedByte();
        int second = frames.readUnsignedByte();
        int opcode = first & 0x0F;
        long length = second & 0x7F;
        if (length == 126) {
          length = frames.readUnsignedShort();
        } else if (length == 127) {
          length = frames.readLong();
        }
        byte[] mask = new byte[4];
        if ((second & 0x80) != 0) {
          frames.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        frames.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
        switch (opcode) {
          case 0x1 -> {
            Matcher envelope = ENVELOPE.matcher(new String(payload, StandardCharsets.UTF_8));
            if (envelope.find()) {
              acknowledged.add(envelope.group(1));
            }
          }
          case 0x9 -> connection.send(0xA, payload);
          case 0x8 -> {
            connection.send(0x8, payload);
            return;
          }
          default -> { }
        }
      }
    } catch (Exception e) {
      // the client went away
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the request's head ended");
      }
      head.write(b);
      byte[] bytes = head.toByteArray();
      int n = bytes.length;
      if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
        return head.toString(StandardCharsets.US_ASCII);
      }
    }
  }

  /** One client: frames from the server are not masked. */
  private record Connection(Socket socket) {
    synchronized void send(int opcode, byte[] payload) {
      try {
        OutputStream out = socket.getOutputStream();
        out.write(0x80 | opcode);
        if (payload.length < 126) {
          out.write(payload.length);
        } else if (payload.length < 65536) {
          out.write(126);
          out.write(payload.length >>> 8);
          out.write(payload.length & 0xFF);
        } else {
          out.write(127);
          for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) ((long) payload.length >>> shift) & 0xFF);
          }
        }
        out.write(payload);
        out.flush();
      } catch (IOException e) {
        // the client went away: the test sees it by what did not arrive
      }
    }
  }
}
