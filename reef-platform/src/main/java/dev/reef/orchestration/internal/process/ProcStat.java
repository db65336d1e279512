package dev.reef.orchestration.internal.process;

/**
 * One line of {@code /proc/<pid>/stat}, the fields the driver needs (proc(5) numbers them from 1).
 *
 * @param state {@code R}, {@code S}, {@code D}, {@code Z} (zombie: ended, not yet reaped) ...
 * @param processGroup field 5: the group a signal to {@code -pgid} reaches
 * @param startTicks field 22: when the process started, in clock ticks since boot. A process id is reused once its
 *     process is gone; the pair (pid, startTicks) is not, within one boot.
 * @param rssPages field 24: resident set size in pages
 */
record ProcStat(long pid, String command, char state, long parent, long processGroup, long session, long startTicks,
    long rssPages) {

  /** Whether the process still runs: a zombie has ended and only waits for its parent to collect its status. */
  boolean alive() {
    return state != 'Z' && state != 'X' && state != 'x';
  }

  /**
   * Parses a stat line. The command (field 2) is in parentheses and may itself contain spaces and parentheses, so
   * the fields after it are found from the last {@code )}.
   *
   * @throws IllegalArgumentException when the line is not a stat line
   */
  static ProcStat parse(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open <= 0 || close < open || close + 2 > line.length()) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line));
    }
    String[] rest = line.substring(close + 2).trim().split(" +");
    // rest[0] is field 3 (state), so field n is rest[n - 3]
    if (rest.length < 22 || rest[0].length() != 1) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line));
    }
    try {
      return new ProcStat(Long.parseLong(line.substring(0, open).trim()), line.substring(open + 1, close),
          rest[0].charAt(0), Long.parseLong(rest[1]), Long.parseLong(rest[2]), Long.parseLong(rest[3]),
          Long.parseLong(rest[19]), Long.parseLong(rest[21]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(line), e);
    }
  }

  private static String abbreviate(String line) {
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }
}
