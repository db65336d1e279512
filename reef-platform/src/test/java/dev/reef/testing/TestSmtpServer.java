package dev.reef.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local SMTP server for tests: accepts every message (no TLS, no authentication) and keeps it, so a test reads
 * what Reef sent. Speaks just enough SMTP for JavaMail: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
 */
public final class TestSmtpServer implements AutoCloseable {

  /** One message as received: its recipients and its whole text (headers and body). */
  public record Mail(List<String> to, String text) {}

  private final ServerSocket server;
  private final List<Mail> received = new CopyOnWriteArrayList<>();

  public TestSmtpServer() {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread.ofVirtual().name("test-smtp").start(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  public List<Mail> received() {
    return List.copyOf(received);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
        StandardCharsets.UTF_8)); OutputStream out = socket.getOutputStream()) {
      say(out, "220 test-smtp ready");
      List<String> to = new ArrayList<>();
      for (String line; (line = in.readLine()) != null; ) {
        String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
        switch (command) {
          case "HELO", "EHLO" -> say(out, "250 test-smtp");
          case "MAIL" -> {
            to = new ArrayList<>();
            say(out, "250 OK");
          }
          case "RCPT" -> {
            to.add(line.substring(line.indexOf(':') + 1).trim().replaceAll("[<>]", ""));
            say(out, "250 OK");
          }
          case "DATA" -> {
            say(out, "354 end with <CRLF>.<CRLF>");
            StringBuilder text = new StringBuilder();
            for (String data; (data = in.readLine()) != null && !data.equals("."); ) {
              text.append(data.startsWith("..") ? data.substring(1) : data).append('\n');
            }
            received.add(new Mail(List.copyOf(to), text.toString()));
            say(out, "250 OK");
          }
          case "QUIT" -> {
            say(out, "221 bye");
            return;
          }
          default -> say(out, "250 OK");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void say(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
