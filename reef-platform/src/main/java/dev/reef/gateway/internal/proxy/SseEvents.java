package dev.reef.gateway.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a server-sent-events byte stream into whole events (terminated by a blank line), keeping each event's
 * exact bytes so it can be forwarded unchanged. Lines may end in LF or CRLF.
 */
final class SseEvents {

  private final InputStream in;
  private final byte[] buffer = new byte[16 * 1024];
  private int pos;
  private int limit;

  SseEvents(InputStream in) {
    this.in = in;
  }

  /** One event: its raw bytes (including the terminating blank line), its {@code event:} name and joined data. */
  record Event(byte[] raw, String name, String data) {}

  /** The next event, or null at the end of the stream (a trailing partial event is returned as one). */
  Event next() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
    StringBuilder data = null;
    String name = null;
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    while (true) {
      int b = read();
      if (b < 0) {
        if (line.size() > 0) {
          raw.write(line.toByteArray());
          String text = line.toString(StandardCharsets.UTF_8);
          if (text.startsWith("data:")) {
            data = append(data, text);
          }
        }
        return raw.size() == 0 ? null : new Event(raw.toByteArray(), name, data == null ? null : data.toString());
      }
      line.write(b);
      if (b != '\n') {
        continue;
      }
      byte[] bytes = line.toByteArray();
      raw.write(bytes);
      line.reset();
      String text = new String(bytes, StandardCharsets.UTF_8).stripTrailing();
      if (text.isEmpty()) {
        if (data != null || name != null) {
          return new Event(raw.toByteArray(), name, data == null ? null : data.toString());
        }
        continue; // stray blank line between events
      }
      if (text.startsWith("data:")) {
        data = append(data, text);
      } else if (text.startsWith("event:")) {
        name = text.substring(6).trim();
      }
    }
  }

  private static StringBuilder append(StringBuilder data, String line) {
    String value = line.substring(5);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (data == null) {
      return new StringBuilder(value);
    }
    return data.append('\n').append(value);
  }

  private int read() throws IOException {
    if (pos == limit) {
      limit = in.read(buffer, 0, buffer.length);
      pos = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[pos++] & 0xff;
  }
}
