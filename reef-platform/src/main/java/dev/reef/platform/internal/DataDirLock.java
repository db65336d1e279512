package dev.reef.platform.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded Reef's claim on its data dir: {@code reef.lock} in it, locked for as long as Reef runs and holding its
 * PID. A second Reef on the same data dir (whose H2 database only one process can open) is refused in one sentence
 * naming the first one's PID, instead of H2's page of stack trace. The lock goes with the process, however it ends.
 */
final class DataDirLock {

  static final String FILE = "reef.lock";

  /**
   * Locks this JVM holds, by data dir, with how many application contexts use each: contexts in one process may share
   * a data dir (H2 lets one process open its database from several pools); only another process is refused.
   */
  private static final Map<Path, Held> HELD = new ConcurrentHashMap<>();

  private record Held(FileLock lock, int users) {}

  private DataDirLock() {}

  /** A data dir another Reef holds. */
  static final class InUseException extends IllegalStateException {
    final Path dataDir;
    final String holder;

    InUseException(Path dataDir, String holder) {
      super("Another Reef (" + holder + ") is running on the data dir " + dataDir + "; stop it first, or give this "
          + "one another data dir (--data-dir or REEF_DATA_DIR).");
      this.dataDir = dataDir;
      this.holder = holder;
    }
  }

  /** Takes the data dir, or throws {@link InUseException}. */
  static synchronized void acquire(Path dataDir) {
    Held held = HELD.get(dataDir);
    if (held != null) {
      HELD.put(dataDir, new Held(held.lock(), held.users() + 1));
      return;
    }
    Path file = dataDir.resolve(FILE);
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.READ);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        channel.close(); // locked in this process, outside this class: not Reef's own doing, but not another Reef
        throw new InUseException(dataDir, "in this same process, PID " + ProcessHandle.current().pid());
      }
      if (lock == null) {
        String pid = Files.readString(file, StandardCharsets.UTF_8).strip();
        channel.close();
        throw new InUseException(dataDir, pid.isEmpty() ? "PID unknown" : "PID " + pid);
      }
      channel.truncate(0);
      channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
          .getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
      HELD.put(dataDir, new Held(lock, 1));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot lock the data dir " + dataDir + " (" + e.getMessage()
          + "); check REEF_DATA_DIR", e);
    }
  }

  /** Gives the data dir up (the context closed, or failed to start). */
  static synchronized void release(Path dataDir) {
    Held held = HELD.get(dataDir);
    if (held == null) {
      return;
    }
    if (held.users() > 1) {
      HELD.put(dataDir, new Held(held.lock(), held.users() - 1));
      return;
    }
    HELD.remove(dataDir);
    try {
      held.lock().channel().close(); // releases the lock
    } catch (IOException e) {
      // the process's end releases it anyway
    }
  }
}
