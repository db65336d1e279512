package dev.reef.orchestration;

import java.time.Instant;

/** What a driver sees of an agent right now. */
public sealed interface Observed {

  /** @param memoryBytes resident memory of the agent (all its processes), or -1 if unknown */
  record Running(Instant startedAt, long memoryBytes) implements Observed {}

  /** It ran and ended. {@code exitCode} is 128 + signal for a process killed by a signal; {@code reason} says it in words. */
  record Exited(int exitCode, String reason) implements Observed {}

  /**
   * It never ran and will not as things are: what it needs to run could not be set up (its sandbox, say). Starting
   * it again would fail the same way, so it is not a crash to retry; {@code reason} says what went wrong.
   */
  record CannotRun(String reason) implements Observed {}

  /** Nothing is there (never started, stopped, or removed). */
  record Missing() implements Observed {}
}
