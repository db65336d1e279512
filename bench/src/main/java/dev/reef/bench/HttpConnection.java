package dev.reef.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection over a plain blocking socket: writes a pre-built request in one write, then
 * parses the response (Content-Length or chunked) without copying the body. For event streams it notes the moment
 * the first SSE {@code data:} line arrived. Not thread-safe: one connection per load thread.
 *
 * <p>Allocation-free per exchange (beyond the socket reads), so the load generator's own garbage stays out of the
 * figures.
 */
final class HttpConnection implements Closeable {

  /** What one exchange returned. Reused by the connection; copy what you need before the next exchange. */
  static final class Result {
    int status;
    /** {@link System#nanoTime()} when the complete response had been read. */
    long endNanos;
    /** {@link System#nanoTime()} when the first SSE {@code data:} line arrived, or 0 if there was none. */
    long firstDataNanos;
    long bodyBytes;
    /** The server asked to close the connection after this response. */
    boolean close;
  }

  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

  private final String host;
  private final int port;
  private final int timeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private final Result result = new Result();

  // SSE "data:" detection state, carried across reads
  private boolean lineStart;
  private int matched;
  private boolean scan;

  HttpConnection(String host, int port, int timeoutMillis) {
    this.host = host;
    this.port = port;
    this.timeoutMillis = timeoutMillis;
  }

  /** For tests: parse responses from a stream; {@link #exchange} then writes to {@code out}. */
  HttpConnection(InputStream in, OutputStream out) {
    this("test", 0, 0);
    this.in = in;
    this.out = out;
  }

  /** When the last exchange's first SSE data line arrived (0 if none). */
  long lastFirstData() {
    return result.firstDataNanos;
  }

  boolean isOpen() {
    return in != null;
  }

  void connect() throws IOException {
    close();
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout(timeoutMillis);
    s.setReceiveBufferSize(256 * 1024);
    s.connect(new InetSocketAddress(host, port), timeoutMillis);
    socket = s;
    in = s.getInputStream();
    out = s.getOutputStream();
    pos = 0;
    lim = 0;
  }

  /**
   * Sends {@code request} (a complete HTTP/1.1 request) and reads the whole response.
   *
   * @param detectData whether to look for the first SSE {@code data:} line in the body
   */
  Result exchange(byte[] request, boolean detectData) throws IOException {
    if (in == null) {
      connect();
    }
    out.write(request);
    out.flush();
    return readResponse(detectData);
  }

  Result readResponse(boolean detectData) throws IOException {
    Result r = result;
    r.status = 0;
    r.firstDataNanos = 0;
    r.bodyBytes = 0;
    r.close = false;
    scan = detectData;
    lineStart = true;
    matched = 0;

    // Status line: HTTP/1.1 200 OK
    int lineEnd = lineEnd();
    if (lineEnd - pos < 12 || buf[pos] != 'H') {
      throw new IOException("bad status line: " + ascii(pos, Math.min(lineEnd, pos + 80)));
    }
    r.status = (buf[pos + 9] - '0') * 100 + (buf[pos + 10] - '0') * 10 + (buf[pos + 11] - '0');
    boolean http10 = buf[pos + 7] == '0';
    pos = lineEnd + 1;

    long contentLength = -1;
    boolean chunked = false;
    boolean close = http10;
    while (true) {
      lineEnd = lineEnd();
      int end = lineEnd > pos && buf[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
      if (end == pos) {
        pos = lineEnd + 1;
        break;
      }
      if (headerIs("content-length", end)) {
        contentLength = parseDecimal(valueStart("content-length".length(), end), end);
      } else if (headerIs("transfer-encoding", end)) {
        chunked = containsIgnoreCase(valueStart("transfer-encoding".length(), end), end, "chunked");
      } else if (headerIs("connection", end)) {
        int v = valueStart("connection".length(), end);
        if (containsIgnoreCase(v, end, "close")) {
          close = true;
        } else if (containsIgnoreCase(v, end, "keep-alive")) {
          close = false;
        }
      }
      pos = lineEnd + 1;
    }

    if (chunked) {
      while (true) {
        lineEnd = lineEnd();
        long size = parseHex(pos, lineEnd);
        pos = lineEnd + 1;
        if (size == 0) {
          // trailers, then the empty line
          while (true) {
            lineEnd = lineEnd();
            boolean empty = lineEnd == pos || (lineEnd == pos + 1 && buf[pos] == '\r');
            pos = lineEnd + 1;
            if (empty) {
              break;
            }
          }
          break;
        }
        skipBody(size);
        r.bodyBytes += size;
        lineEnd = lineEnd(); // the CRLF after the chunk
        pos = lineEnd + 1;
      }
    } else if (contentLength >= 0) {
      skipBody(contentLength);
      r.bodyBytes = contentLength;
    } else if (r.status != 204 && r.status != 304) {
      // Body until close.
      while (true) {
        if (pos == lim && !fill()) {
          break;
        }
        int n = lim - pos;
        scanData(pos, lim);
        pos = lim;
        r.bodyBytes += n;
      }
      close = true;
    }
    r.endNanos = System.nanoTime();
    r.close = close;
    if (close) {
      close();
    }
    return r;
  }

  private void skipBody(long length) throws IOException {
    long left = length;
    while (left > 0) {
      if (pos == lim && !fill()) {
        throw new EOFException("connection closed in the middle of a body");
      }
      int n = (int) Math.min(left, lim - pos);
      if (scan) {
        scanData(pos, pos + n);
      }
      pos += n;
      left -= n;
    }
  }

  /** Looks for "data:" at the start of a line; notes the time of the first one. */
  private void scanData(int from, int to) {
    if (!scan) {
      return;
    }
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (matched > 0) {
        if (b == DATA[matched]) {
          if (++matched == DATA.length) {
            result.firstDataNanos = System.nanoTime();
            scan = false;
            return;
          }
          lineStart = false;
          continue;
        }
        matched = 0;
      }
      if (lineStart && b == 'd') {
        matched = 1;
      }
      lineStart = b == '\n';
    }
  }

  /** Index of the next '\n' at or after pos, reading more as needed (compacting the buffer). */
  private int lineEnd() throws IOException {
    int from = pos;
    while (true) {
      for (int i = from; i < lim; i++) {
        if (buf[i] == '\n') {
          return i;
        }
      }
      from = lim - pos; // relative offset already scanned, after compaction below
      if (pos > 0) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
      }
      if (lim == buf.length) {
        throw new IOException("header line longer than " + buf.length + " bytes");
      }
      if (!fill()) {
        throw new EOFException("connection closed by the server");
      }
    }
  }

  /** Reads more bytes after lim; false at end of stream. */
  private boolean fill() throws IOException {
    if (pos == lim) {
      pos = 0;
      lim = 0;
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      return false;
    }
    lim += n;
    return true;
  }

  private boolean headerIs(String name, int end) {
    int n = name.length();
    if (end - pos <= n || buf[pos + n] != ':') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (Character.toLowerCase((char) buf[pos + i]) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private int valueStart(int nameLength, int end) {
    int i = pos + nameLength + 1;
    while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
      i++;
    }
    return i;
  }

  private boolean containsIgnoreCase(int from, int to, String word) {
    int n = word.length();
    outer:
    for (int i = from; i + n <= to; i++) {
      for (int j = 0; j < n; j++) {
        if (Character.toLowerCase((char) buf[i + j]) != word.charAt(j)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private long parseDecimal(int from, int to) throws IOException {
    long v = 0;
    int i = from;
    for (; i < to && buf[i] >= '0' && buf[i] <= '9'; i++) {
      v = v * 10 + (buf[i] - '0');
    }
    if (i == from) {
      throw new IOException("bad content-length");
    }
    return v;
  }

  private long parseHex(int from, int to) throws IOException {
    long v = 0;
    int i = from;
    for (; i < to; i++) {
      int d = Character.digit(buf[i], 16);
      if (d < 0) {
        break; // ';' extension or '\r'
      }
      v = v * 16 + d;
    }
    if (i == from) {
      throw new IOException("bad chunk size line: " + ascii(from, Math.min(to, from + 40)));
    }
    return v;
  }

  private String ascii(int from, int to) {
    return new String(buf, from, Math.max(0, to - from), StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
    socket = null;
    in = null;
    out = null;
    pos = 0;
    lim = 0;
  }
}
