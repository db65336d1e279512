package dev.reef.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SystemHealthTest {

  @Test
  void diskSizesAreShownAsAPersonReadsThem_otherDetailsAsTheyAre() {
    assertThat(SystemHealth.readable("total", 107_374_182_400L)).isEqualTo("100.0 GB");
    assertThat(SystemHealth.readable("free", 524_288_000L)).isEqualTo("500 MB");
    assertThat(SystemHealth.readable("threshold", 10_485_760L)).isEqualTo("10 MB");
    assertThat(SystemHealth.readable("database", "H2")).isEqualTo("H2");
    assertThat(SystemHealth.readable("total", "n/a")).isEqualTo("n/a");
  }
}
