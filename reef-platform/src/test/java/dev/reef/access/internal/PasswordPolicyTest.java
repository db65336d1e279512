package dev.reef.access.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.InvalidRequestException;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

  private static final String EMAIL = "alice@example.com";

  @Test
  void refuses_blank_short_repeated_theEmail_andCommonPasswords_withTheirDigitsAndSymbols() {
    assertRefused("            ", "only spaces");
    assertRefused("short", "at least 10");
    assertRefused("x".repeat(129), "at most 128");
    assertRefused("aaaaaaaaaaaa", "repeated");
    assertRefused("abababababab", "repeated");
    assertRefused("ALICE@example.com", "email");
    assertRefused("alice2024!!", "email");
    assertRefused("qwertyuiop", "common");
    assertRefused("1234567890", "common");
    assertRefused("Password123!", "common");
    assertRefused("!!iloveyou2024", "common");
    assertRefused("  Football1234 ", "common");
  }

  @Test
  void accepts_longPasswordsThatAreNoneOfThose() {
    for (String ok : new String[] {"correct horse battery staple", "tangerine-lamp-orbit", "J7#pQ2!vXz9@",
        "password manager generated: 5n3kd8"}) {
      assertThatCode(() -> PasswordPolicy.check(EMAIL, ok)).as(ok).doesNotThrowAnyException();
    }
  }

  private static void assertRefused(String password, String why) {
    assertThatThrownBy(() -> PasswordPolicy.check(EMAIL, password)).as(password)
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining(why);
  }
}
