package dev.reef.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

  @TempDir
  Path dataDir;

  @Test
  void contextsOfOneProcessShareTheDataDir_andTheLockGoesWithTheLastOne() throws Exception {
    DataDirLock.acquire(dataDir);
    DataDirLock.acquire(dataDir); // a second context in this JVM (tests run several)
    assertThat(Files.readString(dataDir.resolve(DataDirLock.FILE)).strip())
        .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    DataDirLock.release(dataDir);
    assertThat(lockedElsewhere()).as("still held: one context uses it").isTrue();
    DataDirLock.release(dataDir);
    assertThat(lockedElsewhere()).as("free once the last context closed").isFalse();
  }

  /** Whether the file lock is held (by this JVM, seen as an overlap). */
  private boolean lockedElsewhere() throws Exception {
    try (FileChannel channel = FileChannel.open(dataDir.resolve(DataDirLock.FILE), StandardOpenOption.WRITE)) {
      var lock = channel.tryLock();
      if (lock != null) {
        lock.release();
        return false;
      }
      return true;
    } catch (java.nio.channels.OverlappingFileLockException held) {
      return true;
    }
  }
}
