package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @TempDir
  Path root;

  @Test
  void append_thenRoll_closesTheSegmentWithItsLines() {
    try (Journal journal = new Journal(root, false, 1 << 20)) {
      journal.append(bytes("one"));
      journal.append(bytes("two"));
      assertThat(journal.closedSegments()).as("the segment being written is not flushable").isEmpty();

      journal.roll();
      journal.append(bytes("three"));
      List<Path> closed = journal.closedSegments();
      assertThat(closed).hasSize(1);
      assertThat(Journal.lines(closed.getFirst())).containsExactly("one", "two");
    }
  }

  @Test
  void append_rollsBySize() {
    try (Journal journal = new Journal(root, true, 10)) {
      journal.append(bytes("0123456789")); // 11 bytes with its newline: rolls
      journal.append(bytes("abc")); // a new segment, counted from zero: 4 bytes, stays open
      assertThat(journal.closedSegments()).hasSize(1);
      journal.append(bytes("defgh")); // 4 + 6: rolls
      assertThat(journal.closedSegments()).hasSize(2);
      assertThat(Journal.lines(journal.closedSegments().get(1))).containsExactly("abc", "defgh");
    }
  }

  @Test
  void lines_leaveOutALastLineCutShortByACrash() throws Exception {
    Path segment = root.resolve("segment.jsonl");
    Files.writeString(segment, "{\"a\":1}\n{\"b\":2}\n{\"c\":", StandardCharsets.UTF_8);
    assertThat(Journal.lines(segment)).containsExactly("{\"a\":1}", "{\"b\":2}");
  }

  @Test
  void adoptOrphans_takesJournalsOfInstancesThatAreGone_notThoseAliveInThisJvm() throws Exception {
    Path dead = root.resolve("1-dead");
    Files.createDirectories(dead);
    Files.writeString(dead.resolve("segment-0000000000000000000.jsonl"), "x\n");
    try (Journal alive = new Journal(root, false, 1 << 20); Journal adopter = new Journal(root, false, 1 << 20)) {
      alive.append(bytes("still being written"));

      List<Journal.Orphan> orphans = adopter.adoptOrphans();
      assertThat(orphans).extracting(Journal.Orphan::dir).containsExactly(dead);
      assertThat(adopter.adoptOrphans()).as("an adopted journal is not handed out twice").isEmpty();
      orphans.getFirst().segments().forEach(Journal::delete);
      orphans.getFirst().close();
      assertThat(dead).doesNotExist();
      assertThat(alive.directory()).exists();
    }
  }

  @Test
  void close_removesTheDirectoryOnlyWhenNothingIsLeftInIt() {
    Journal empty = new Journal(root, false, 1 << 20);
    empty.close();
    assertThat(empty.directory()).doesNotExist();

    Journal unflushed = new Journal(root, false, 1 << 20);
    unflushed.append(bytes("not flushed"));
    unflushed.close();
    assertThat(unflushed.directory()).exists();
    try (Journal next = new Journal(root, false, 1 << 20)) {
      assertThat(next.adoptOrphans()).extracting(Journal.Orphan::dir).containsExactly(unflushed.directory());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
