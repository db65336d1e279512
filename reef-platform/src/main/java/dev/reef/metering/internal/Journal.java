package dev.reef.metering.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * An append-only journal of lines in numbered segment files, one directory per running instance.
 *
 * <p>Design note: {@link #append} is one {@code write(2)} of a whole line to a file opened for appending. When it
 * returns the line is in the operating system's page cache, which the kernel writes out on its own schedule and
 * which survives the death of this process (even {@code kill -9}); only a crash of the machine can lose the last
 * few seconds, unless {@code fsync} is on. Each instance writes into its own directory, holding a lock file for as
 * long as it lives, so replicas or several instances in one JVM never touch each other's segments; a directory
 * whose lock can be taken belongs to an instance that is gone, and {@link #adoptOrphans} hands it over for replay.
 * Segments are rolled by the flusher (every flush interval) and by size; only closed segments are read.
 */
final class Journal implements AutoCloseable {

  private static final String SEGMENT_PREFIX = "segment-";
  private static final String SEGMENT_SUFFIX = ".jsonl";
  private static final String LOCK_FILE = "instance.lock";
  /**
   * Directories held by instances in this JVM. They are skipped without opening their lock file: on POSIX, closing
   * any descriptor of a file drops every lock this process holds on it, including the owner's.
   */
  private static final java.util.Set<Path> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Path root;
  private final Path dir;
  private final boolean fsync;
  private final long segmentBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ReentrantLock writeLock = new ReentrantLock();
  private long nextSegment;
  private FileChannel active;
  private Path activePath;
  /**
   * Bytes appended to the active segment, counted here: asking the file ({@code fstat}) on every append cost a
   * system call per proxied request.
   */
  private long activeBytes;

  /**
   * @param root the ledger directory, {@code <REEF_DATA_DIR>/ledger}
   */
  Journal(Path root, boolean fsync, long segmentBytes) {
    this.root = root.toAbsolutePath().normalize();
    this.fsync = fsync;
    this.segmentBytes = segmentBytes;
    this.dir = this.root.resolve(System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = lockChannel.lock();
      HELD_HERE.add(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the usage journal in " + dir, e);
    }
  }

  Path directory() {
    return dir;
  }

  /** Appends one line (without its newline); durable against process death when this returns. */
  void append(byte[] line) {
    append(line, segment -> { });
  }

  /**
   * Appends one line, then tells {@code written} which segment holds it, before any other append or a
   * {@link #roll}: whoever tracks lines by segment sees every line of a segment by the time it is closed.
   */
  void append(byte[] line, java.util.function.Consumer<Path> written) {
    ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
    writeLock.lock();
    try {
      if (active == null) {
        activePath = dir.resolve(SEGMENT_PREFIX + String.format("%019d", nextSegment++) + SEGMENT_SUFFIX);
        active = FileChannel.open(activePath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        activeBytes = 0;
      }
      while (buffer.hasRemaining()) {
        activeBytes += active.write(buffer);
      }
      if (fsync) {
        active.force(false);
      }
      written.accept(activePath);
      if (activeBytes >= segmentBytes) {
        closeActive();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot append to the usage journal " + activePath, e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Closes the segment being written, if any, so that it can be flushed; the next append starts a new one. */
  void roll() {
    writeLock.lock();
    try {
      closeActive();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writeLock.unlock();
    }
  }

  private void closeActive() throws IOException {
    if (active != null) {
      active.close();
      active = null;
    }
  }

  /** This instance's closed segments, oldest first. */
  List<Path> closedSegments() {
    writeLock.lock();
    try {
      return segments(dir).stream().filter(p -> active == null || !p.equals(activePath)).toList();
    } finally {
      writeLock.unlock();
    }
  }

  /** The complete lines of a segment; a last line cut short by a crash mid-write is left out. */
  static List<String> lines(Path segment) {
    try {
      String text = Files.readString(segment);
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : Arrays.stream(text.substring(0, end).split("\n")).filter(s -> !s.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read usage journal segment " + segment, e);
    }
  }

  static void delete(Path segment) {
    try {
      Files.deleteIfExists(segment);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete flushed usage journal segment " + segment, e);
    }
  }

  /** The directory of an instance that is gone, locked by us until {@link #close()}d (after its replay). */
  record Orphan(Path dir, List<Path> segments, FileChannel channel, FileLock lock) implements AutoCloseable {

    /** Deletes the directory, whose segments must have been replayed and deleted. */
    @Override
    public void close() {
      try {
        release(dir, channel, lock);
      } finally {
        HELD_HERE.remove(dir);
      }
    }
  }

  /**
   * Journals left by instances that are gone (killed, crashed, or stopped before their last flush), each locked
   * so that no other instance replays it at the same time.
   */
  List<Orphan> adoptOrphans() {
    List<Orphan> orphans = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path other : dirs.filter(Files::isDirectory).sorted().toList()) {
        if (!HELD_HERE.add(other)) {
          continue; // an instance in this JVM has it
        }
        FileChannel channel = FileChannel.open(other.resolve(LOCK_FILE), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock taken = tryLock(channel);
        if (taken == null) {
          channel.close(); // its instance, in another process, is alive
          HELD_HERE.remove(other);
        } else {
          orphans.add(new Orphan(other, segments(other), channel, taken));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot look for usage journals left in " + root, e);
    }
    return orphans;
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      return null;
    }
  }

  private static List<Path> segments(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> {
        String name = p.getFileName().toString();
        return name.startsWith(SEGMENT_PREFIX) && name.endsWith(SEGMENT_SUFFIX);
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops writing; the directory is removed when every segment in it has been flushed and deleted. */
  @Override
  public void close() {
    writeLock.lock();
    try {
      closeActive();
      release(dir, lockChannel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      HELD_HERE.remove(dir);
      writeLock.unlock();
    }
  }

  /** Gives up an instance directory, removing it when no segment is left in it. */
  private static void release(Path directory, FileChannel channel, FileLock lock) {
    try (FileChannel c = channel) {
      lock.release();
      if (segments(directory).isEmpty()) {
        Files.deleteIfExists(directory.resolve(LOCK_FILE));
        Files.deleteIfExists(directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release usage journal directory " + directory, e);
    }
  }
}
