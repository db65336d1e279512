package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Size-based rotation of agent logs by copy and truncate: {@code agent.log} is copied to {@code agent.log.1} (older
 * copies move up, the oldest beyond {@code keep} is deleted) and then truncated to zero. The agent never reopens its
 * log: it writes to a descriptor opened for appending, so after the truncation its next write lands at the new end
 * of the file. What the agent writes between the copy and the truncation is lost: a few lines at worst, the price
 * of rotating the log of a process that cannot be told to reopen it.
 *
 * <p>Readers in this JVM ({@link AgentLog}) share a lock and a rotation counter per log with the rotator, so a
 * follower never sees a half-done rotation and can read the end of what was copied to {@code agent.log.1}.
 */
final class LogRotation {

  /** Per log: the lock held while rotating or reading, and how many rotations it has had. */
  static final class State {
    final ReentrantLock lock = new ReentrantLock();
    long rotations;
  }

  private final long maxBytes;
  private final int keep;
  private final ConcurrentHashMap<Path, State> states = new ConcurrentHashMap<>();

  /**
   * @param maxBytes a log is rotated once it is at least this large
   * @param keep how many rotated copies to keep
   */
  LogRotation(long maxBytes, int keep) {
    if (maxBytes <= 0 || keep < 1) {
      throw new IllegalArgumentException("a log needs a positive size limit and at least one rotated copy");
    }
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  State state(Path log) {
    return states.computeIfAbsent(log.toAbsolutePath().normalize(), p -> new State());
  }

  /** Drops what is known of a log that is being deleted. */
  void forget(Path log) {
    states.remove(log.toAbsolutePath().normalize());
  }

  /** Rotates {@code log} if it has reached the size limit; returns whether it did. */
  boolean rotateIfFull(Path log) throws IOException {
    State state = state(log);
    state.lock.lock();
    try {
      if (size(log) < maxBytes) {
        return false;
      }
      Files.deleteIfExists(rotated(log, keep));
      for (int i = keep - 1; i >= 1; i--) {
        if (Files.exists(rotated(log, i))) {
          Files.move(rotated(log, i), rotated(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.copy(log, rotated(log, 1), StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
        channel.truncate(0);
      }
      state.rotations++;
      return true;
    } finally {
      state.lock.unlock();
    }
  }

  /** {@code agent.log.n}. */
  static Path rotated(Path log, int n) {
    return log.resolveSibling(log.getFileName() + "." + n);
  }

  /** The log and its rotated copies that exist, newest first. */
  List<Path> files(Path log) {
    List<Path> files = new ArrayList<>();
    files.add(log);
    for (int i = 1; i <= keep; i++) {
      Path copy = rotated(log, i);
      if (Files.exists(copy)) {
        files.add(copy);
      }
    }
    return files;
  }

  /** The size of a file, 0 when it does not exist (yet). */
  static long size(Path file) throws IOException {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return 0;
    }
  }
}
