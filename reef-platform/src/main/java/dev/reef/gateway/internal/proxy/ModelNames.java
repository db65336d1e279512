package dev.reef.gateway.internal.proxy;

import java.nio.charset.StandardCharsets;

/**
 * Puts the model id the client asked for back into the provider's answer: a provider answers with its own name for
 * the model ({@code "model":"gpt-4o-2024-08-06"}) where the client asked for Reef's id ({@code "model":"gpt"}), and
 * clients that check the field break. The {@code "model"} member is rewritten in place, in a whole body or in each
 * stream event, byte for byte (no JSON parse), with or without a space after the colon; nothing else is touched.
 * An operator can keep the provider's name for a model ({@code answerWithUpstreamModel}).
 */
final class ModelNames {

  private static final ModelNames NONE = new ModelNames(new byte[0][], new byte[0][]);

  private final byte[][] from;
  private final byte[][] to;

  private ModelNames(byte[][] from, byte[][] to) {
    this.from = from;
    this.to = to;
  }

  /** A rewriter from {@code upstream} to {@code requested}; one that changes nothing when they are the same. */
  static ModelNames of(String upstream, String requested, boolean keepUpstream) {
    if (keepUpstream || upstream == null || requested == null || upstream.equals(requested)) {
      return NONE;
    }
    String up = escape(upstream);
    String asked = escape(requested);
    return new ModelNames(
        new byte[][] {bytes("\"model\":\"" + up + "\""), bytes("\"model\": \"" + up + "\"")},
        new byte[][] {bytes("\"model\":\"" + asked + "\""), bytes("\"model\": \"" + asked + "\"")});
  }

  /** The body with the model member rewritten; the same array when it does not occur. */
  byte[] rewrite(byte[] body) {
    byte[] result = body;
    for (int i = 0; i < from.length; i++) {
      result = replaceAll(result, from[i], to[i]);
    }
    return result;
  }

  private static byte[] replaceAll(byte[] body, byte[] pattern, byte[] replacement) {
    int at = indexOf(body, pattern, 0);
    if (at < 0) {
      return body;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length + 16);
    int from = 0;
    while (at >= 0) {
      out.write(body, from, at - from);
      out.write(replacement, 0, replacement.length);
      from = at + pattern.length;
      at = indexOf(body, pattern, from);
    }
    out.write(body, from, body.length - from);
    return out.toByteArray();
  }

  private static int indexOf(byte[] body, byte[] pattern, int start) {
    outer:
    for (int i = start; i <= body.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (body[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** As the name appears inside a JSON string. */
  private static String escape(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (char c : name.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '/' -> out.append('/');
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
