package dev.reef.gateway.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CredentialScrubberTest {

  private static final String KEY = "sk-Le/ak+Key=0123456789";

  private static String scrub(String key, String body) {
    return new String(CredentialScrubber.of(key).scrub(body.getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8);
  }

  @Test
  void scrub_keyAsSentAndEscaped_replaced() {
    assertThat(scrub(KEY, "got Bearer " + KEY + " and " + KEY.replace("/", "\\/")))
        .isEqualTo("got Bearer [redacted] and [redacted]");
  }

  @Test
  void scrub_urlEncodedAndHex_replaced() {
    String hex = HexFormat.of().formatHex(KEY.getBytes(StandardCharsets.UTF_8));
    assertThat(scrub(KEY, "?k=" + URLEncoder.encode(KEY, StandardCharsets.UTF_8) + " " + hex + " "
        + hex.toUpperCase())).isEqualTo("?k=[redacted] [redacted] [redacted]");
  }

  @Test
  void scrub_base64AtEveryAlignment_leavesNoRecoverableKey() {
    for (String prefix : new String[] {"", "B", "Be", "Bearer ", "Authorization: Bearer "}) {
      for (Base64.Encoder encoder : new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
        String encoded = encoder.encodeToString((prefix + KEY + " tail").getBytes(StandardCharsets.UTF_8));
        String scrubbed = scrub(KEY, "{\"b\":\"" + encoded + "\"}");
        assertThat(scrubbed).as(prefix).contains("[redacted]");
        String rest = scrubbed.substring(6, scrubbed.length() - 2).replace("[redacted]", "");
        assertThat(rest.length()).as("at most a few characters of the encoding survive: " + rest)
            .isLessThanOrEqualTo(encoded.length() - (KEY.length() * 4 / 3 - 3));
      }
    }
  }

  @Test
  void scrub_nothingToFind_sameBytesBack() {
    byte[] body = "{\"error\":{\"message\":\"model not found\"}}".getBytes(StandardCharsets.UTF_8);
    assertThat(CredentialScrubber.of(KEY).scrub(body)).isSameAs(body);
  }

  @Test
  void scrub_noKeyOrAShortOne_changesNothing() {
    byte[] body = "abc abc".getBytes(StandardCharsets.UTF_8);
    assertThat(CredentialScrubber.of(null).scrub(body)).isSameAs(body);
    assertThat(CredentialScrubber.of("abc").scrub(body)).isSameAs(body);
  }
}
