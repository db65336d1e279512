package dev.reef.orchestration;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** An agent's output. */
public interface LogStream {

  /** The last {@code lines} lines (fewer if there are fewer). */
  List<String> tail(int lines) throws IOException;

  /**
   * Calls {@code sink} with each new line as it is written, until the returned handle is closed or the caller's
   * thread is interrupted. Survives log rotation.
   */
  AutoCloseable follow(Consumer<String> sink) throws IOException;
}
