package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.ReefProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second embedded Reef on a data dir another one runs on is refused in a sentence naming the first one's PID and
 * what to do, with a non-zero exit and no stack trace; once the first stops, the data dir is free again.
 */
class DataDirInUseIT {

  @TempDir
  Path dataDir;
  @TempDir
  Path logDir;

  @Test
  void secondReefOnTheSameDataDir_saysWhoHoldsIt_andExits() throws Exception {
    try (ReefProcess first = ReefProcess.start("first", dataDir, logDir, Map.of())) {
      ReefProcess.Ended second = ReefProcess.run("second", dataDir, logDir, Map.of(), Duration.ofSeconds(90));

      assertThat(second.exitCode()).isNotZero();
      assertThat(second.output()).contains("Another Reef (PID " + first.pid() + ") is running on the data dir "
          + dataDir.toAbsolutePath().normalize()).contains("--data-dir");
      assertThat(second.output().lines().filter(line -> line.startsWith("\tat ")).count())
          .as("no stack trace:\n" + second.output()).isZero();
      assertThat(first.isAlive()).as("the first Reef is untouched").isTrue();
      assertThat(first.api().get("/actuator/health/readiness", null).status()).isEqualTo(200);
    }
    try (ReefProcess again = ReefProcess.start("again", dataDir, logDir, Map.of())) {
      assertThat(again.isAlive()).as("the data dir is free once the first Reef stopped").isTrue();
    }
  }
}
