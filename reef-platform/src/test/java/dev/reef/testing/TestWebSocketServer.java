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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server end of a chat app's WebSocket, as far as a test needs one (RFC 6455 on loopback: text frames, pings
 * answered, close echoed): subclasses say what a connection is greeted with and how its text frames are answered.
 */
abstract class TestWebSocketServer {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server;

  TestWebSocketServer(String name) {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread.ofVirtual().name(name).start(this::accept);
  }

  final int port() {
    return server.getLocalPort();
  }

  /**
   * A client connected with this request target ({@code /path?query}); answers false to refuse it (400).
   */
  abstract boolean opened(String target, Connection connection);

  /** A text frame from the client. */
  abstract void text(Connection connection, String text);

  /** The client closed the connection, or it broke. */
  void closed(Connection connection) {
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
    Connection connection = new Connection(socket);
    try (socket) {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      Matcher target = Pattern.compile("^GET (\\S+) HTTP/1\\.1").matcher(head);
      Matcher key = Pattern.compile("(?i)sec-websocket-key:\\s*(\\S+)").matcher(head);
      if (!target.find() || !key.find()) {
        socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key.group(1) + GUID).getBytes(StandardCharsets.US_ASCII)));
      socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      if (!opened(target.group(1), connection)) {
        connection.close(1008);
        return;
      }
      DataInputStream frames = new DataInputStream(in);
      ByteArrayOutputStream message = new ByteArrayOutputStream();
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
          case 0x0, 0x1 -> {
            message.write(payload);
            if ((first & 0x80) != 0) {
              text(connection, message.toString(StandardCharsets.UTF_8));
              message.reset();
            }
          }
          case 0x9 -> connection.send(0xA, payload);
          case 0x8 -> {
            connection.closeCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            connection.send(0x8, payload);
            return;
          }
          default -> { }
        }
      }
    } catch (Exception e) {
      // the client went away
    } finally {
      closed(connection);
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
  static final class Connection {
    private final Socket socket;
    volatile int closeCode;

    Connection(Socket socket) {
      this.socket = socket;
    }

    boolean isOpen() {
      return !socket.isClosed();
    }

    void sendText(String text) {
      send(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the connection with a close frame carrying this code. */
    void close(int code) {
      send(0x8, new byte[] {(byte) (code >>> 8), (byte) code});
      try {
        socket.close();
      } catch (IOException ignored) {
        // closed already
      }
    }

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
