package dev.reef.egress.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The head of a request to a forward proxy, as agents send it: {@code CONNECT host:port} (a tunnel, for HTTPS and
 * anything else over TCP) or a plain HTTP request with an absolute URI ({@code GET http://host/path}), which is
 * passed on to the origin in origin form.
 *
 * @param head the request line and header lines, without the blank line that ends them
 * @param rest bytes that came after the head (a body, or the start of a tunnel's traffic)
 */
record ProxyRequest(String method, String target, String version, List<String> headers, String host, int port,
    String originForm, byte[] rest) {

  /** The largest head Reef reads: a forward proxy's request line and headers are small. */
  static final int MAX_HEAD = 16 * 1024;

  boolean tunnel() {
    return method.equals("CONNECT");
  }

  /** Where the head ends ({@code \r\n\r\n}), as the index after it, or -1 while it has not come. */
  static int endOfHead(byte[] buffer, int length) {
    for (int i = 3; i < length; i++) {
      if (buffer[i - 3] == '\r' && buffer[i - 2] == '\n' && buffer[i - 1] == '\r' && buffer[i] == '\n') {
        return i + 1;
      }
    }
    return -1;
  }

  /** Parses a head; empty with the reason when it is not a request a forward proxy serves. */
  static Parsed parse(byte[] buffer, int headLength, int length) {
    String text = new String(buffer, 0, headLength - 4, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r\n", -1);
    String[] requestLine = lines[0].split(" ");
    if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
      return Parsed.bad("not an HTTP/1 request line: " + abbreviate(lines[0]));
    }
    List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
    byte[] rest = java.util.Arrays.copyOfRange(buffer, headLength, length);
    String method = requestLine[0];
    String target = requestLine[1];
    if (method.equals("CONNECT")) {
      Optional<HostPort> hostPort = HostPort.parse(target);
      if (hostPort.isEmpty()) {
        return Parsed.bad("CONNECT needs host:port, not " + abbreviate(target));
      }
      return new Parsed(Optional.of(new ProxyRequest(method, target, requestLine[2], headers,
          hostPort.get().host(), hostPort.get().port(), null, rest)), null);
    }
    URI uri;
    try {
      uri = new URI(target);
    } catch (URISyntaxException e) {
      return Parsed.bad("not a URI: " + abbreviate(target));
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return Parsed.bad("a forward proxy takes http://host/... or CONNECT host:port (for https, CONNECT), not "
          + abbreviate(target));
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String originForm = path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return new Parsed(Optional.of(new ProxyRequest(method, target, requestLine[2], headers,
        EgressRule.normalize(uri.getHost()), uri.getPort() > 0 ? uri.getPort() : 80, originForm, rest)), null);
  }

  /** The value of a header, by name in any case. */
  Optional<String> header(String name) {
    for (String line : headers) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return Optional.of(line.substring(colon + 1).trim());
      }
    }
    return Optional.empty();
  }

  /**
   * The head to send the origin for a plain HTTP request: origin form, without the headers meant for the proxy
   * (its credentials among them), and closing the connection after one exchange, so each request is checked.
   */
  byte[] forOrigin() {
    StringBuilder out = new StringBuilder(method).append(' ').append(originForm).append(' ').append(version)
        .append("\r\n");
    for (String line : headers) {
      int colon = line.indexOf(':');
      String name = colon > 0 ? line.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
      if (!name.startsWith("proxy-") && !name.equals("connection") && !name.equals("keep-alive")) {
        out.append(line).append("\r\n");
      }
    }
    out.append("Connection: close\r\n\r\n");
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String abbreviate(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() <= 100 ? printable : printable.substring(0, 100) + "...";
  }

  record Parsed(Optional<ProxyRequest> request, String problem) {
    static Parsed bad(String problem) {
      return new Parsed(Optional.empty(), problem);
    }
  }

  /** A {@code host:port} or {@code [v6]:port}. */
  record HostPort(String host, int port) {
    static Optional<HostPort> parse(String target) {
      int colon = target.lastIndexOf(':');
      if (colon <= 0 || colon == target.length() - 1) {
        return Optional.empty();
      }
      String host = target.substring(0, colon);
      if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
        return Optional.empty();
      }
      try {
        int port = Integer.parseInt(target.substring(colon + 1));
        return port < 1 || port > 65535 ? Optional.empty()
            : Optional.of(new HostPort(EgressRule.normalize(host), port));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
  }
}
