package dev.reef.secrets.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class MasterKeyTest {

  /** 32 zero bytes; its SHA-256 is 66687aad f862bd77 6c8fc18b 8e9f8e20 ... */
  private static final String ZERO_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  void version_isTheFirst8BytesOfTheKeysSha256_inHex() {
    assertThat(MasterKey.parse(ZERO_KEY, "test").version()).isEqualTo("66687aadf862bd77");
  }

  @Test
  void version_isStable_andDiffersBetweenKeys() {
    MasterKey key = MasterKey.generate(new SecureRandom());
    assertThat(MasterKey.parse(key.toBase64(), "again").version()).isEqualTo(key.version());
    assertThat(MasterKey.generate(new SecureRandom()).version()).isNotEqualTo(key.version());
    assertThat(key.version()).matches("[0-9a-f]{16}");
  }

  @Test
  void parse_acceptsUrlSafeBase64AndSurroundingWhitespace() {
    byte[] raw = new byte[32];
    raw[0] = (byte) 0xfb; // encodes with '+' or '-' depending on the alphabet
    raw[1] = (byte) 0xff;
    String urlSafe = Base64.getUrlEncoder().encodeToString(raw);
    String standard = Base64.getEncoder().encodeToString(raw);
    assertThat(MasterKey.parse(" " + urlSafe + "\n", "test").version())
        .isEqualTo(MasterKey.parse(standard, "test").version());
  }

  @Test
  void parse_notBase64_namesTheSource_neverTheKey() {
    String bad = "this-is-not*base64!" + "s3cr3t-material";
    assertThatThrownBy(() -> MasterKey.parse(bad, "REEF_MASTER_KEY"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("REEF_MASTER_KEY is not valid base64")
        .hasMessageContaining("openssl rand -base64 32")
        .hasMessageNotContaining("s3cr3t")
        .hasNoCause();
  }

  @Test
  void parse_wrongLength_saysTheLength_neverTheKey() {
    String shortKey = Base64.getEncoder().encodeToString("sixteen byte key".getBytes());
    assertThatThrownBy(() -> MasterKey.parse(shortKey, "REEF_MASTER_KEY"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("decodes to 16 bytes")
        .hasMessageNotContaining(shortKey);
  }
}
