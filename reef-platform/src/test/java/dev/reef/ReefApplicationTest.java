package dev.reef;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReefApplicationTest {

  @Test
  void carriers_twiceTheCores_unlessSetExplicitly() {
    assertThat(ReefApplication.carriers(null, 2)).isEqualTo("4");
    assertThat(ReefApplication.carriers(" ", 16)).isEqualTo("32");
    assertThat(ReefApplication.carriers("3", 2)).isEqualTo("3");
  }
}
