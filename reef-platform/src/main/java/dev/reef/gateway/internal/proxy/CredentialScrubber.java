package dev.reef.gateway.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes a credential Reef sent to a provider from whatever the provider answers, before the tenant sees it. A
 * provider (or a proxy in front of one) that echoes the request's headers in an error body would otherwise hand the
 * platform's key, or another caller's BYOK key, to whoever made the call.
 *
 * <p>The key is looked for in every form an echo is likely to take: as sent, JSON-escaped, URL-encoded, hex, and
 * base64 (standard and URL-safe) at each of the three alignments it can have inside a longer base64 string (an
 * encoded {@code Authorization: Bearer ...} header, say). Each form is replaced with {@value #REDACTED}.
 *
 * <p>Design note: forms are computed once per call and only when a body is actually relayed; a search over a few
 * short patterns costs microseconds per error body or stream event.
 */
final class CredentialScrubber {

  static final String REDACTED = "[redacted]";

  /** Shorter base64 fragments (or keys) would match ordinary text by chance. */
  private static final int MIN_FORM_LENGTH = 8;

  private static final CredentialScrubber NONE = new CredentialScrubber(new byte[0][]);
  private static final byte[] REPLACEMENT = REDACTED.getBytes(StandardCharsets.US_ASCII);

  private final byte[][] forms;

  private CredentialScrubber(byte[][] forms) {
    this.forms = forms;
  }

  /** A scrubber for one credential; one that changes nothing when there is none (a keyless local provider). */
  static CredentialScrubber of(String credential) {
    if (credential == null || credential.length() < MIN_FORM_LENGTH) {
      return NONE;
    }
    byte[] raw = credential.getBytes(StandardCharsets.UTF_8);
    Set<String> forms = new LinkedHashSet<>();
    forms.add(credential);
    forms.add(jsonEscaped(credential, false));
    forms.add(jsonEscaped(credential, true));
    forms.add(URLEncoder.encode(credential, StandardCharsets.UTF_8));
    forms.add(URLEncoder.encode(credential, StandardCharsets.UTF_8).replace("%20", "+"));
    forms.add(HexFormat.of().formatHex(raw));
    forms.add(HexFormat.of().withUpperCase().formatHex(raw));
    for (int offset = 0; offset < 3; offset++) {
      String fragment = base64Fragment(raw, offset);
      forms.add(fragment);
      forms.add(fragment.replace('+', '-').replace('/', '_'));
    }
    List<byte[]> bytes = new ArrayList<>();
    for (String form : forms) {
      if (form.length() >= MIN_FORM_LENGTH) {
        bytes.add(form.getBytes(StandardCharsets.UTF_8));
      }
    }
    // Longest first: a long form's match must not be half-replaced by a shorter form inside it.
    bytes.sort(Comparator.comparingInt((byte[] b) -> b.length).reversed());
    return new CredentialScrubber(bytes.toArray(byte[][]::new));
  }

  /** The body with every form of the credential replaced; the same array when none occurs. */
  byte[] scrub(byte[] body) {
    byte[] result = body;
    for (byte[] form : forms) {
      result = replaceAll(result, form);
    }
    return result;
  }

  /**
   * The part of base64(prefix + credential) that depends on the credential alone, for a prefix of {@code offset}
   * bytes: characters that also carry bits of whatever precedes or follows are dropped.
   */
  private static String base64Fragment(byte[] credential, int offset) {
    byte[] padded = new byte[offset + credential.length];
    System.arraycopy(credential, 0, padded, offset, credential.length);
    String encoded = Base64.getEncoder().withoutPadding().encodeToString(padded);
    int first = (8 * offset + 5) / 6;
    int end = 8 * (offset + credential.length) / 6;
    return end > first ? encoded.substring(first, end) : "";
  }

  private static String jsonEscaped(String s, boolean escapeSlash) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '/' -> out.append(escapeSlash ? "\\/" : "/");
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

  private static byte[] replaceAll(byte[] body, byte[] form) {
    int at = indexOf(body, form, 0);
    if (at < 0) {
      return body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    int from = 0;
    while (at >= 0) {
      out.write(body, from, at - from);
      out.writeBytes(REPLACEMENT);
      from = at + form.length;
      at = indexOf(body, form, from);
    }
    out.write(body, from, body.length - from);
    return out.toByteArray();
  }

  private static int indexOf(byte[] body, byte[] form, int from) {
    byte first = form[0];
    int last = body.length - form.length;
    for (int i = from; i <= last; i++) {
      if (body[i] == first && Arrays.equals(body, i + 1, i + form.length, form, 1, form.length)) {
        return i;
      }
    }
    return -1;
  }
}
