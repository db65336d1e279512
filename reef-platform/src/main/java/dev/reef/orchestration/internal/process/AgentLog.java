package dev.reef.orchestration.internal.process;

import dev.reef.orchestration.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * An agent's {@code logs/agent.log} (its stdout and stderr) with its rotated copies. {@link #follow} polls the file:
 * a rotation by this JVM is seen through {@link LogRotation}'s counter, so the follower first reads the rest of what
 * was copied to {@code agent.log.1}; a truncation by anyone else is seen as a file shorter than what was read.
 */
final class AgentLog implements LogStream {

  static final Duration POLL = Duration.ofMillis(200);
  /** A line longer than this is passed on in pieces, so a program that never writes a newline cannot exhaust memory. */
  static final int MAX_LINE_BYTES = 64 * 1024;
  /** Read at most this much per turn, so the lock is not held for long. */
  private static final int MAX_READ_BYTES = 1024 * 1024;

  private final Path log;
  private final LogRotation rotation;

  AgentLog(Path log, LogRotation rotation) {
    this.log = log;
    this.rotation = rotation;
  }

  @Override
  public List<String> tail(int lines) throws IOException {
    if (lines <= 0) {
      return List.of();
    }
    LogRotation.State state = rotation.state(log);
    List<String> newestFirst = new ArrayList<>();
    state.lock.lock();
    try {
      for (Path file : rotation.files(log)) {
        List<String> last = lastLines(file, lines - newestFirst.size());
        for (int i = last.size() - 1; i >= 0; i--) {
          newestFirst.add(last.get(i));
        }
        if (newestFirst.size() >= lines) {
          break;
        }
      }
    } finally {
      state.lock.unlock();
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  /** The last {@code count} lines of a file, read backwards in blocks so a large file is not read whole. */
  static List<String> lastLines(Path file, int count) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long end = in.length();
      long start = end;
      int newlines = 0;
      // a newline that ends the file ends the last line; it does not begin another
      long searchEnd = end > 0 && byteAt(in, end - 1) == '\n' ? end - 1 : end;
      byte[] block = new byte[8192];
      long pos = searchEnd;
      outer:
      while (pos > 0) {
        int n = (int) Math.min(block.length, pos);
        pos -= n;
        in.seek(pos);
        in.readFully(block, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (block[i] == '\n' && ++newlines == count) {
            start = pos + i + 1;
            break outer;
          }
        }
      }
      if (newlines < count) {
        start = 0;
      }
      byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, end - start)];
      in.seek(start);
      in.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (text.isEmpty()) {
        return List.of();
      }
      return List.of(text.endsWith("\n") ? text.substring(0, text.length() - 1).split("\n", -1)
          : text.split("\n", -1));
    } catch (java.io.FileNotFoundException | NoSuchFileException e) {
      return List.of();
    }
  }

  private static int byteAt(RandomAccessFile in, long pos) throws IOException {
    in.seek(pos);
    return in.read();
  }

  @Override
  public AutoCloseable follow(Consumer<String> sink) throws IOException {
    Follower follower = new Follower(sink, Thread.currentThread());
    follower.thread = Thread.ofVirtual().name("agent-log-follow").start(follower::run);
    return follower;
  }

  /** Follows from the end of the log as it is now. */
  private final class Follower implements AutoCloseable {
    private final Consumer<String> sink;
    private final Thread caller;
    private final LogRotation.State state = rotation.state(log);
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile boolean closed;
    private volatile Thread thread;
    private long position;
    private long rotations;

    Follower(Consumer<String> sink, Thread caller) throws IOException {
      this.sink = sink;
      this.caller = caller;
      state.lock.lock();
      try {
        position = LogRotation.size(log);
        rotations = state.rotations;
      } finally {
        state.lock.unlock();
      }
    }

    void run() {
      try {
        while (!closed && !caller.isInterrupted()) {
          List<String> lines = new ArrayList<>();
          boolean more = readNew(lines);
          for (String line : lines) {
            if (closed) {
              return;
            }
            sink.accept(line);
          }
          if (!more) {
            Thread.sleep(POLL);
          }
        }
      } catch (InterruptedException e) {
        // closed
      } catch (IOException | RuntimeException e) {
        // the log went away with its agent, or the sink gave up (its client left): either ends the follow
        closed = true;
      }
    }

    /** Reads what was added since the last turn; returns whether there may be more right away. */
    private boolean readNew(List<String> lines) throws IOException {
      state.lock.lock();
      try {
        if (state.rotations != rotations) {
          if (state.rotations == rotations + 1) {
            // what was written after our last read and before the copy is at the end of agent.log.1
            Path copy = LogRotation.rotated(log, 1);
            read(copy, position, LogRotation.size(copy), lines);
          }
          restart(lines);
          rotations = state.rotations;
        }
        long size = LogRotation.size(log);
        if (size < position) {
          restart(lines); // truncated by someone else
        }
        long until = Math.min(size, position + MAX_READ_BYTES);
        read(log, position, until, lines);
        position = until;
        return until < size;
      } finally {
        state.lock.unlock();
      }
    }

    private void restart(List<String> lines) {
      if (partial.size() > 0) {
        lines.add(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
      }
      position = 0;
    }

    private void read(Path file, long from, long until, List<String> lines) throws IOException {
      if (until <= from) {
        return;
      }
      byte[] bytes = new byte[(int) (until - from)];
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        in.seek(from);
        int n = in.read(bytes);
        for (int i = 0; i < n; i++) {
          if (bytes[i] == '\n') {
            lines.add(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
          } else {
            partial.write(bytes[i]);
            if (partial.size() >= MAX_LINE_BYTES) {
              lines.add(partial.toString(StandardCharsets.UTF_8));
              partial.reset();
            }
          }
        }
      } catch (java.io.FileNotFoundException e) {
        // not there (yet)
      }
    }

    /** No line reaches the sink after this returns, unless it is called from the sink itself. */
    @Override
    public void close() throws InterruptedException {
      closed = true;
      Thread t = thread;
      if (t != null && t != Thread.currentThread()) {
        t.interrupt();
        t.join(Duration.ofSeconds(1));
      }
    }
  }
}
