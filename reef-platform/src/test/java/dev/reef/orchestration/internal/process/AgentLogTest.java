package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation, tail and follow on a log written the way an agent writes it: appended, never reopened. */
class AgentLogTest {

  @TempDir
  Path dir;

  private Path log() {
    return dir.resolve("agent.log");
  }

  /** Appends as an agent does (O_APPEND), so after a truncation the next write lands at the new end. */
  private void append(String text) throws IOException {
    Files.writeString(log(), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private void appendLines(int from, int to) throws IOException {
    StringBuilder text = new StringBuilder();
    IntStream.range(from, to).forEach(i -> text.append("line ").append(i).append('\n'));
    append(text.toString());
  }

  @Test
  void rotateIfFull_copiesAndTruncates_keepingTheNewestCopies() throws IOException {
    LogRotation rotation = new LogRotation(10, 2);
    append("first\n");
    assertThat(rotation.rotateIfFull(log())).as("below the limit").isFalse();

    append("one more line\n");
    assertThat(rotation.rotateIfFull(log())).isTrue();
    append("second line\n");
    rotation.rotateIfFull(log());
    append("third and last\n");
    rotation.rotateIfFull(log());
    append("now\n");

    assertThat(Files.readString(log())).isEqualTo("now\n");
    assertThat(Files.readString(LogRotation.rotated(log(), 1))).isEqualTo("third and last\n");
    assertThat(Files.readString(LogRotation.rotated(log(), 2))).isEqualTo("second line\n");
    assertThat(LogRotation.rotated(log(), 3)).doesNotExist();
    assertThat(rotation.files(log())).hasSize(3);
  }

  @Test
  void tail_readsTheLastLines_acrossRotatedCopies() throws IOException {
    LogRotation rotation = new LogRotation(100, 3);
    AgentLog agentLog = new AgentLog(log(), rotation);
    assertThat(agentLog.tail(5)).as("no log yet").isEmpty();

    appendLines(0, 10);
    rotation.rotateIfFull(log());
    appendLines(10, 13);

    assertThat(agentLog.tail(2)).containsExactly("line 11", "line 12");
    assertThat(agentLog.tail(5)).containsExactly("line 8", "line 9", "line 10", "line 11", "line 12");
    assertThat(agentLog.tail(100)).hasSize(13).startsWith("line 0");
    assertThat(agentLog.tail(0)).isEmpty();
  }

  @Test
  void lastLines_withoutAFinalNewline_andAcrossReadBlocks() throws IOException {
    append("a\nb\nunfinished");
    assertThat(AgentLog.lastLines(log(), 2)).containsExactly("b", "unfinished");

    Files.delete(log());
    String longLine = "x".repeat(20_000);
    append("before\n" + longLine + "\nafter\n");
    assertThat(AgentLog.lastLines(log(), 2)).containsExactly(longLine, "after");
    assertThat(AgentLog.lastLines(log(), 10)).containsExactly("before", longLine, "after");
  }

  @Test
  void follow_seesNewLinesOnly_andCarriesOnThroughRotations_withoutLosingOrRepeating() throws Exception {
    LogRotation rotation = new LogRotation(50, 2);
    appendLines(0, 3);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable follow = new AgentLog(log(), rotation).follow(seen::add)) {
      appendLines(3, 6);
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
      // written after the follower's last read and before the rotation: it must come from agent.log.1
      appendLines(6, 9);
      rotation.rotateIfFull(log());
      appendLines(9, 12);
      rotation.rotateIfFull(log());
      appendLines(12, 14);
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 11);
    }
    assertThat(seen).containsExactlyElementsOf(IntStream.range(3, 14).mapToObj(i -> "line " + i).toList());
  }

  @Test
  void follow_afterATruncationBySomeoneElse_startsOverAtTheTop() throws Exception {
    LogRotation rotation = new LogRotation(1024 * 1024, 2);
    appendLines(0, 50);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable follow = new AgentLog(log(), rotation).follow(seen::add)) {
      try (FileChannel channel = FileChannel.open(log(), StandardOpenOption.WRITE)) {
        channel.truncate(0); // an operator's logrotate with copytruncate
      }
      Thread.sleep(AgentLog.POLL.multipliedBy(2));
      append("fresh start\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("fresh start"));
    }
    assertThat(seen).containsExactly("fresh start");
  }

  @Test
  void follow_closed_deliversNothingMore_andAPartialLineWaitsForItsEnd() throws Exception {
    LogRotation rotation = new LogRotation(1024 * 1024, 2);
    List<String> seen = new CopyOnWriteArrayList<>();
    AutoCloseable follow = new AgentLog(log(), rotation).follow(seen::add);
    append("half a li");
    Thread.sleep(AgentLog.POLL.multipliedBy(2));
    assertThat(seen).isEmpty();
    append("ne\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.equals(List.of("half a line")));

    follow.close();
    append("after close\n");
    Thread.sleep(AgentLog.POLL.multipliedBy(2));
    assertThat(seen).containsExactly("half a line");
  }

  @Test
  void follow_aLineWithoutEnd_isPassedOnInPieces() throws Exception {
    LogRotation rotation = new LogRotation(10 * 1024 * 1024, 2);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable follow = new AgentLog(log(), rotation).follow(seen::add)) {
      append("y".repeat(AgentLog.MAX_LINE_BYTES * 2 + 10));
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
    }
    assertThat(seen).allSatisfy(piece -> assertThat(piece).hasSize(AgentLog.MAX_LINE_BYTES));
  }
}
