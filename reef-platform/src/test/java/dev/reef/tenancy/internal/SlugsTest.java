package dev.reef.tenancy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.InvalidRequestException;
import org.junit.jupiter.api.Test;

class SlugsTest {

  @Test
  void from_name_isUrlSafe() {
    assertThat(Slugs.from("Acme Corp.")).isEqualTo("acme-corp");
    assertThat(Slugs.from("  Café Ünïcode  ")).isEqualTo("cafe-unicode");
    assertThat(Slugs.from("!!!")).isEqualTo("tenant");
    assertThat(Slugs.from("x".repeat(100))).hasSize(32);
  }

  @Test
  void check_rejectsBadSlugs() {
    assertThat(Slugs.check("ok-slug-1")).isEqualTo("ok-slug-1");
    for (String bad : new String[] {"-lead", "trail-", "double--dash", "UPPER", "a", "x".repeat(41), "sp ace"}) {
      assertThatThrownBy(() -> Slugs.check(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
    }
  }
}
