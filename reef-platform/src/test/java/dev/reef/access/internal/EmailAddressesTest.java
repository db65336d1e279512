package dev.reef.access.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.InvalidRequestException;
import org.junit.jupiter.api.Test;

class EmailAddressesTest {

  @Test
  void normalize_oneSpellingPerAddress() {
    assertThat(EmailAddresses.normalize("  Ann.Lee@Example.COM. ")).isEqualTo("ann.lee@example.com");
    assertThat(EmailAddresses.normalize("\uFF41\uFF4E\uFF4E@example.com")).as("full-width letters")
        .isEqualTo("ann@example.com");
  }

  @Test
  void normalize_singleScriptNonLatin_allowed() {
    assertThat(EmailAddresses.normalize("иван@пример.рф")).isEqualTo("иван@пример.рф");
    assertThat(EmailAddresses.normalize("やまだ太郎@example.jp")).isEqualTo("やまだ太郎@example.jp");
  }

  @Test
  void normalize_lookAlikes_refused() {
    for (String lookAlike : new String[] {"p\u0430ypal@example.com", "ann@ex\u0430mple.com", "an\u200bn@example.com",
        "ann@example..com", "ann", "@example.com"}) {
      assertThatThrownBy(() -> EmailAddresses.normalize(lookAlike)).as(lookAlike)
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void canonical_neverRefuses() {
    assertThat(EmailAddresses.canonical(null)).isEmpty();
    assertThat(EmailAddresses.canonical(" A@B.C. ")).isEqualTo("a@b.c");
  }
}
