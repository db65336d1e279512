package dev.reef.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load generator's response parser: the benchmark is only as good as its framing. Runs no benchmark. */
class HttpConnectionTest {

  private static HttpConnection over(String responses) {
    return new HttpConnection(new ByteArrayInputStream(responses.getBytes(StandardCharsets.ISO_8859_1)),
        new ByteArrayOutputStream());
  }

  @Test
  void readsContentLengthResponsesBackToBackOnOneConnection() throws IOException {
    String body = "{\"id\":\"x\",\"usage\":{\"total_tokens\":3}}";
    String one = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body;
    HttpConnection c = over(one + one.replace("200 OK", "429 Too Many Requests"));
    HttpConnection.Result r = c.readResponse(false);
    assertThat(r.status).isEqualTo(200);
    assertThat(r.bodyBytes).isEqualTo(body.length());
    assertThat(r.close).isFalse();
    assertThat(c.readResponse(false).status).isEqualTo(429);
  }

  @Test
  void decodesChunkedEventStreamsAndNotesTheFirstDataLine() throws IOException {
    String events = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n";
    String first = ": comment, not data\n"; // a chunk whose only line is an SSE comment
    String chunked = "HTTP/1.1 200 \r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n"
        + Integer.toHexString(events.length()) + ";ext=1\r\n" + events + "\r\n"
        + "0\r\nx-trailer: y\r\n\r\n";
    HttpConnection c = over(chunked + chunked);
    HttpConnection.Result r = c.readResponse(true);
    assertThat(r.status).isEqualTo(200);
    assertThat(r.firstDataNanos).isPositive();
    assertThat(r.bodyBytes).isEqualTo(first.length() + events.length());
    assertThat(c.readResponse(true).firstDataNanos).isPositive();
  }

  @Test
  void aDataWordInsideALineIsNotAnEvent() throws IOException {
    String body = ": metadata: data: no\n\n";
    HttpConnection c = over("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    assertThat(c.readResponse(true).firstDataNanos).isZero();
  }

  @Test
  void findsDataSplitAcrossReads() throws IOException {
    String body = "data: {\"a\":1}\n\ndata: [DONE]\n\n";
    String response = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
    // Hand the bytes over a few at a time, so the header lines, and "data:", straddle reads.
    InputStream trickle = new InputStream() {
      int i;

      @Override
      public int read() {
        return i < bytes.length ? bytes[i++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (i >= bytes.length) {
          return -1;
        }
        int n = Math.min(3, Math.min(len, bytes.length - i));
        System.arraycopy(bytes, i, b, off, n);
        i += n;
        return n;
      }
    };
    HttpConnection c = new HttpConnection(trickle, new ByteArrayOutputStream());
    HttpConnection.Result r = c.readResponse(true);
    assertThat(r.status).isEqualTo(200);
    assertThat(r.firstDataNanos).isPositive();
  }

  @Test
  void connectionCloseAndHttp10AreHonoured() throws IOException {
    for (String response : List.of("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")) {
      HttpConnection c = over(response);
      assertThat(c.readResponse(false).close).isTrue();
      assertThat(c.isOpen()).isFalse();
    }
  }

  @Test
  void aTruncatedBodyIsAnError() {
    HttpConnection c = over("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    assertThatThrownBy(() -> c.readResponse(false)).isInstanceOf(EOFException.class);
  }

  @Test
  void requestsCarryTheBodyAndItsLength() {
    byte[] req = Target.request("127.0.0.1", 8080, "/v1/chat/completions", List.of("Authorization: Bearer k"),
        Target.streamBody("m"));
    String text = new String(req, StandardCharsets.ISO_8859_1);
    String body = text.substring(text.indexOf("\r\n\r\n") + 4);
    assertThat(text).startsWith("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
        .contains("Content-Length: " + body.length() + "\r\n", "Authorization: Bearer k\r\n");
    assertThat(body).contains("\"stream\":true", "\"include_usage\":true");
  }
}
