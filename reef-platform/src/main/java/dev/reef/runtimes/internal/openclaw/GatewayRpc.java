package dev.reef.runtimes.internal.openclaw;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One short conversation with an OpenClaw gateway over its WebSocket RPC (its docs/gateway/protocol): the
 * {@code connect} handshake with Reef's gateway token, then requests answered in turn. A minimal RFC 6455 client,
 * because the agent's address may be a Unix socket (a sandboxed agent), which the JDK's WebSocket client cannot
 * reach; it sends masked text frames and reads unmasked ones, and refuses frames and answers larger than
 * {@link #MAX_MESSAGE_BYTES}: what an agent sends is untrusted.
 */
final class GatewayRpc implements AutoCloseable {

  static final int MAX_MESSAGE_BYTES = 4 << 20;
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SocketChannel channel;
  private final InputStream in;
  private final OutputStream out;
  private final long deadline;
  private final Thread watchdog;
  private int nextId = 1;

  /** Opens the WebSocket on {@code channel} (connected) and authenticates; everything within {@code timeout}. */
  static GatewayRpc open(SocketChannel channel, String gatewayToken, Duration timeout) throws IOException {
    return open(channel, gatewayToken, java.util.List.of("operator.read"), timeout);
  }

  /** As an operator with {@code scopes} (reading needs {@code operator.read}). */
  static GatewayRpc open(SocketChannel channel, String gatewayToken, java.util.List<String> scopes,
      Duration timeout) throws IOException {
    GatewayRpc rpc = new GatewayRpc(channel, timeout);
    try {
      rpc.upgrade();
      rpc.connect(gatewayToken, scopes);
      return rpc;
    } catch (IOException | RuntimeException e) {
      rpc.close();
      throw e;
    }
  }

  private GatewayRpc(SocketChannel channel, Duration timeout) throws IOException {
    this.channel = channel;
    this.deadline = System.nanoTime() + timeout.toNanos();
    // a blocking channel's streams honour no read timeout: the socket's, set on the adaptor, does for TCP; a
    // watchdog closes the channel at the deadline for both kinds
    this.in = Channels.newInputStream(channel);
    this.out = Channels.newOutputStream(channel);
    this.watchdog = Thread.ofVirtual().name("gateway-rpc-deadline").start(() -> {
      try {
        Thread.sleep(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        channel.close();
      } catch (InterruptedException | IOException e) {
        // closed already
      }
    });
  }

  /** One request; its answer's {@code payload}. */
  JsonNode call(String method, Map<String, Object> params) throws IOException {
    String id = Integer.toString(nextId++);
    ObjectNode request = JSON.createObjectNode();
    request.put("type", "req");
    request.put("id", id);
    request.put("method", method);
    request.set("params", JSON.valueToTree(params));
    send(JSON.writeValueAsString(request));
    while (true) {
      JsonNode frame = JSON.readTree(receive());
      if ("res".equals(frame.path("type").asString()) && id.equals(frame.path("id").asString())) {
        if (!frame.path("ok").asBoolean(false)) {
          throw new IOException("the gateway refused " + method + ": "
              + frame.path("error").path("message").asString("no reason given"));
        }
        return frame.path("payload");
      }
      // events (ticks, presence) between requests: not for this client
    }
  }

  private void upgrade() throws IOException {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    out.write(("GET / HTTP/1.1\r\nHost: agent\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("the agent did not open a WebSocket: " + head.lines().findFirst().orElse(""));
    }
    String expected = accept(key);
    boolean accepted = head.lines().anyMatch(line -> line.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21)
        && line.substring(21).strip().equals(expected));
    if (!accepted) {
      throw new IOException("the agent's WebSocket answer has a wrong Sec-WebSocket-Accept");
    }
  }

  /** The gateway's challenge, then {@code connect} as an operator with the shared token (no device identity). */
  private void connect(String gatewayToken, java.util.List<String> scopes) throws IOException {
    JsonNode challenge = JSON.readTree(receive());
    if (!"connect.challenge".equals(challenge.path("event").asString())) {
      throw new IOException("the gateway did not start with its challenge");
    }
    call("connect", Map.of("minProtocol", 4, "maxProtocol", 4,
        "client", Map.of("id", "gateway-client", "version", "1.0.0", "platform", "linux", "mode", "backend"),
        "role", "operator", "scopes", scopes, "caps", java.util.List.of(),
        "auth", Map.of("token", gatewayToken)));
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the agent closed the connection during the WebSocket handshake");
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : 0;
      if (head.size() > 16_384) {
        throw new IOException("the agent's WebSocket handshake answer is too long");
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private void send(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write(0x81); // FIN, text
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next whole text message (continuations joined); pings answered, a close ends it. */
  private String receive() throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      int first = readByte();
      int second = readByte();
      boolean fin = (first & 0x80) != 0;
      int opcode = first & 0x0f;
      long length = second & 0x7f;
      if (length == 126) {
        length = ((long) readByte() << 8) | readByte();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte();
        }
      }
      if ((second & 0x80) != 0) {
        throw new IOException("the gateway sent a masked frame");
      }
      if (length > MAX_MESSAGE_BYTES || message.size() + length > MAX_MESSAGE_BYTES) {
        throw new IOException("the gateway's message is larger than " + MAX_MESSAGE_BYTES + " bytes");
      }
      byte[] payload = in.readNBytes((int) length);
      if (payload.length < length) {
        throw new IOException("the gateway closed the connection mid-frame");
      }
      switch (opcode) {
        case 0x8 -> throw new IOException("the gateway closed the WebSocket");
        case 0x9 -> sendControl(0xA, payload); // ping: pong
        case 0xA -> { } // pong
        case 0x0, 0x1, 0x2 -> {
          message.write(payload);
          if (fin) {
            return message.toString(StandardCharsets.UTF_8);
          }
        }
        default -> throw new IOException("the gateway sent an unknown frame (opcode " + opcode + ")");
      }
    }
  }

  private void sendControl(int opcode, byte[] payload) throws IOException {
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x80 | opcode);
    frame.write(0x80 | Math.min(payload.length, 125));
    frame.write(mask);
    for (int i = 0; i < Math.min(payload.length, 125); i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw System.nanoTime() - deadline >= 0 ? new SocketTimeoutException("the gateway did not answer in time")
          : new IOException("the gateway closed the connection");
    }
    return b;
  }

  static String accept(String key) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    watchdog.interrupt();
    try {
      channel.close();
    } catch (IOException e) {
      // gone
    }
  }
}
