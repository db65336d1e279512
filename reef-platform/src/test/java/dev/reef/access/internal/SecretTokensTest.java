package dev.reef.access.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretTokensTest {

  @Test
  void generate_prefixedBase62OfFixedLength_andUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String key = SecretTokens.generate(SecretTokens.TENANT_KEY_PREFIX);
      assertThat(key).startsWith("reef_sk_").hasSize(8 + 43).matches("reef_sk_[0-9A-Za-z]{43}");
      assertThat(seen.add(key)).isTrue();
    }
  }

  @Test
  void hint_showsOnlyEnds() {
    String key = "reef_sk_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq";
    assertThat(SecretTokens.hint(key, "reef_sk_")).isEqualTo("reef_sk_ABCD…nopq");
  }

  @Test
  void sha256_isHexAndStable() {
    assertThat(SecretTokens.sha256("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
