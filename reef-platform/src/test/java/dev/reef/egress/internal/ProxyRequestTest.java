package dev.reef.egress.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading what an agent asks its proxy for. */
class ProxyRequestTest {

  private static ProxyRequest.Parsed parse(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    int end = ProxyRequest.endOfHead(bytes, bytes.length);
    assertThat(end).isPositive();
    return ProxyRequest.parse(bytes, end, bytes.length);
  }

  @Test
  void connect_givesHostPort_andKeepsWhatFollowsTheHead() {
    ProxyRequest r = parse("CONNECT API.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n\u0016\u0003")
        .request().orElseThrow();

    assertThat(r.tunnel()).isTrue();
    assertThat(r.host()).isEqualTo("api.example.com");
    assertThat(r.port()).isEqualTo(443);
    assertThat(r.rest()).containsExactly(0x16, 0x03);
  }

  @Test
  void connect_toAnIpv6Literal() {
    ProxyRequest r = parse("CONNECT [2606:50c0:8000::153]:443 HTTP/1.1\r\n\r\n").request().orElseThrow();
    assertThat(r.host()).isEqualTo("2606:50c0:8000::153");
  }

  @Test
  void plainHttp_isSentInOriginForm_withoutProxyHeaders_andClosed() {
    ProxyRequest r = parse("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\n"
        + "Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\n"
        + "Accept: */*\r\n\r\n").request().orElseThrow();

    assertThat(r.tunnel()).isFalse();
    assertThat(r.host()).isEqualTo("example.com");
    assertThat(r.port()).isEqualTo(8080);
    assertThat(new String(r.forOrigin(), StandardCharsets.ISO_8859_1)).isEqualTo(
        "GET /a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  }

  @Test
  void nonsense_isRefusedSayingWhy() {
    assertThat(parse("hello\r\n\r\n").problem()).contains("not an HTTP/1 request line");
    assertThat(parse("CONNECT example.com HTTP/1.1\r\n\r\n").problem()).contains("CONNECT needs host:port");
    assertThat(parse("CONNECT example.com:99999 HTTP/1.1\r\n\r\n").problem()).contains("CONNECT needs host:port");
    assertThat(parse("GET /relative HTTP/1.1\r\n\r\n").problem()).contains("a forward proxy takes http://host/");
    assertThat(parse("GET https://example.com/ HTTP/1.1\r\n\r\n").problem()).contains("for https, CONNECT");
  }

  @Test
  void endOfHead_isMinusOneUntilTheBlankLineComes() {
    byte[] partial = "CONNECT a.example.com:443 HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(ProxyRequest.endOfHead(partial, partial.length)).isEqualTo(-1);
  }
}
