package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitStatusTest {

  @Test
  void describe_saysHowTheAgentEnded() {
    assertThat(ExitStatus.describe(0)).isEqualTo("exited with code 0");
    assertThat(ExitStatus.describe(3)).isEqualTo("exited with code 3");
    assertThat(ExitStatus.describe(128)).isEqualTo("exited with code 128");
    assertThat(ExitStatus.describe(137)).isEqualTo("killed by signal 9 (SIGKILL)");
    assertThat(ExitStatus.describe(143)).isEqualTo("killed by signal 15 (SIGTERM)");
    assertThat(ExitStatus.describe(139)).isEqualTo("killed by signal 11 (SIGSEGV)");
    assertThat(ExitStatus.describe(159)).isEqualTo("killed by signal 31 (SIGSYS)");
    assertThat(ExitStatus.describe(200)).isEqualTo("exited with code 200");
  }

  @Test
  void describe_outOfMemory_namesTheLimit() {
    assertThat(ExitStatus.describe(137, true, "512 MB"))
        .isEqualTo("killed by signal 9 (SIGKILL): out of memory, it reached its limit of 512 MB");
    assertThat(ExitStatus.describe(137, false, "512 MB")).isEqualTo("killed by signal 9 (SIGKILL)");
  }
}
