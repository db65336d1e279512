package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.ReefIT;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** One client connection carries many requests: Tomcat's default would close it after 100. */
class KeepAliveIT extends ReefIT {

  @Test
  void aConnection_staysOpenBeyondTomcatsDefaultHundredRequests() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = 1; i <= 150; i++) {
        out.write("GET /css/reef.css HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(line(in)).as("status line of request %d", i).isEqualTo("HTTP/1.1 200 ");
        int contentLength = -1;
        boolean closing = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
          String lower = header.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            contentLength = Integer.parseInt(lower.substring("content-length:".length()).trim());
          }
          closing |= lower.equals("connection: close");
        }
        assertThat(closing).as("Connection: close on request %d", i).isFalse();
        assertThat(contentLength).as("Content-Length of request %d", i).isPositive();
        assertThat(in.readNBytes(contentLength)).as("body of request %d", i).hasSize(contentLength);
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the connection was closed after: " + line);
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
