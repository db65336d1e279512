package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcStatTest {

  /** A real line of /proc/<pid>/stat (a shell), fields 1 to 52. */
  private static final String SHELL = "4242 (bash) S 4200 4242 4242 34816 4250 4194560 1234 5678 0 0 3 1 4 2 20 0 "
      + "1 0 987654 10571776 1320 18446744073709551615 94 95 140 0 0 0 65536 3686404 1266761467 1 0 0 17 1 0 0 0 0 "
      + "0 96 97 98 140 141 141 142 0";

  @Test
  void parse_readsTheFieldsTheDriverUses() {
    ProcStat stat = ProcStat.parse(SHELL);

    assertThat(stat).isEqualTo(new ProcStat(4242, "bash", 'S', 4200, 4242, 4242, 987654, 1320));
    assertThat(stat.alive()).isTrue();
  }

  @Test
  void parse_commandWithSpacesAndParentheses_isFoundFromTheLastParenthesis() {
    ProcStat stat = ProcStat.parse(SHELL.replace("(bash)", "(my (evil) prog) S 1 2 3)"));

    assertThat(stat.command()).isEqualTo("my (evil) prog) S 1 2 3");
    assertThat(stat.startTicks()).isEqualTo(987654);
    assertThat(stat.processGroup()).isEqualTo(4242);
  }

  @Test
  void parse_zombie_isNotAlive() {
    assertThat(ProcStat.parse(SHELL.replace(") S ", ") Z ")).alive()).isFalse();
    assertThat(ProcStat.parse(SHELL.replace(") S ", ") X ")).alive()).isFalse();
    assertThat(ProcStat.parse(SHELL.replace(") S ", ") D ")).alive()).isTrue();
  }

  @Test
  void parse_notAStatLine_isRefused() {
    assertThatThrownBy(() -> ProcStat.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcStat.parse("12 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcStat.parse(SHELL.replace(" 987654 ", " soon "))).isInstanceOf(
        IllegalArgumentException.class);
  }

  @Test
  void processTable_findsAProcessOnlyWithItsStartTime_andConvertsTicksToTime(@TempDir Path proc) throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu  1 2 3\nbtime 1700000000\nprocesses 9\n");
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), "c0ffee\n");
    Files.createDirectories(proc.resolve("4242"));
    Files.writeString(proc.resolve("4242/stat"), SHELL + "\n");
    Files.createDirectories(proc.resolve("self"));
    ProcessTable table = new ProcessTable(proc, 100, 4096);

    assertThat(table.bootId()).isEqualTo("c0ffee");
    assertThat(table.running(4242, 987654)).isPresent();
    assertThat(table.running(4242, 987655)).as("same pid, another start: another process").isEmpty();
    assertThat(table.running(4243, 987654)).isEmpty();
    assertThat(table.group(4242)).extracting(ProcStat::pid).containsExactly(4242L);
    assertThat(table.residentBytes(java.util.List.of(4242L, 9999L))).isEqualTo(1320L * 4096);
    assertThat(table.startInstant(987654)).isEqualTo(java.time.Instant.ofEpochSecond(1700000000).plusMillis(9876540));
  }

  @Test
  void processTable_system_seesThisJvm() {
    ProcessTable table = ProcessTable.system();
    long self = ProcessHandle.current().pid();

    ProcStat stat = table.stat(self).orElseThrow();
    assertThat(table.running(self, stat.startTicks())).isPresent();
    assertThat(table.startInstant(stat.startTicks())).isCloseTo(
        ProcessHandle.current().info().startInstant().orElseThrow(), org.assertj.core.api.Assertions.within(
            2, java.time.temporal.ChronoUnit.SECONDS));
  }
}
