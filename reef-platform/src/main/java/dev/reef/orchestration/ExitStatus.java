package dev.reef.orchestration;

import java.util.List;

/**
 * An agent's exit status in words, for {@link Observed.Exited#reason()}. Drivers report the status as a POSIX shell
 * ({@code $?}) and a container runtime do: a process killed by signal n as 128 + n; a program that itself exits with
 * such a code reads the same, a limit of every shell.
 */
public final class ExitStatus {

  /** Linux's signal numbers 1 to 31, as {@code kill -l} lists them. */
  private static final List<String> SIGNALS = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
      "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
      "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  private ExitStatus() {}

  /** E.g. "exited with code 3", "killed by signal 9 (SIGKILL)". */
  public static String describe(int code) {
    int signal = code - 128;
    if (signal >= 1 && signal <= SIGNALS.size()) {
      return "killed by signal " + signal + " (SIG" + SIGNALS.get(signal - 1) + ")";
    }
    return "exited with code " + code;
  }

  /** The reason, with the memory limit named when the kernel killed the agent for exceeding it. */
  public static String describe(int code, boolean outOfMemory, String memoryLimit) {
    String reason = describe(code);
    return outOfMemory ? reason + ": out of memory, it reached its limit of " + memoryLimit : reason;
  }
}
