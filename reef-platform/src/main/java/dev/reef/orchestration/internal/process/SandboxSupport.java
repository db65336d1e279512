package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What this machine allows for sandboxing, found once at start-up by looking for the programs and starting a
 * trial sandbox. Reef never falls back to running agents unconfined: when the sandbox is wanted and cannot be had,
 * {@link Status#problem} says what to install or enable, deploys are refused with it, and agents are not started.
 */
final class SandboxSupport {

  /** Where programs are looked for: the driver runs them by absolute path, never through the caller's PATH. */
  private static final List<String> BIN_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin");

  /**
   * @param bubblewrap the command builder, when usable
   * @param problem why agents cannot be sandboxed here (and what to do), when not usable
   * @param separateUids whether each tenant's agents run as a uid of their own (Reef is root)
   * @param weaker what is weaker than the full sandbox on this machine, one line each (empty when nothing is)
   */
  record Status(Optional<Bubblewrap> bubblewrap, Optional<String> problem, boolean separateUids,
      List<String> weaker) {

    static Status unusable(String problem) {
      return new Status(Optional.empty(), Optional.of(problem), false, List.of());
    }

    boolean usable() {
      return bubblewrap.isPresent();
    }
  }

  private SandboxSupport() {}

  /** Finds the programs and starts a trial sandbox, as {@code trialUid} when Reef is root. */
  static Status probe(boolean root, long trialUid) {
    return probe(root, trialUid, "");
  }

  /** As {@link #probe(boolean, long)}, with bubblewrap at {@code bwrapPath} when that is not empty. */
  static Status probe(boolean root, long trialUid, String bwrapPath) {
    Optional<Path> bwrap = bwrapPath.isEmpty() ? find("bwrap")
        : Optional.of(Path.of(bwrapPath)).filter(Files::isExecutable);
    Optional<Path> socat = find("socat");
    List<String> missing = new ArrayList<>();
    if (bwrap.isEmpty()) {
      missing.add(bwrapPath.isEmpty() ? "bubblewrap (the bwrap program)"
          : "bubblewrap at " + bwrapPath + " (REEF_SANDBOX_BWRAP), which is not an executable file,");
    }
    if (socat.isEmpty()) {
      missing.add("socat");
    }
    Optional<Path> setpriv = find("setpriv");
    Optional<Path> unshare = find("unshare");
    if (root && (setpriv.isEmpty() || unshare.isEmpty())) {
      missing.add("util-linux (setpriv and unshare)");
    }
    if (!missing.isEmpty()) {
      return Status.unusable("the agent sandbox needs " + String.join(", ", missing) + ", which "
          + (missing.size() == 1 ? "is" : "are") + " not installed. Install with: apt-get install bubblewrap socat "
          + "util-linux (Debian, Ubuntu), dnf install bubblewrap socat util-linux (Fedora). "
          + "Or set REEF_SANDBOX=none to run agents unconfined (development only).");
    }
    List<String> trial = new ArrayList<>();
    if (root) {
      trial.addAll(List.of(setpriv.get().toString(), "--reuid=" + trialUid, "--regid=" + trialUid,
          "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"));
    }
    trial.addAll(List.of(bwrap.get().toString(), "--unshare-user", "--unshare-ipc", "--unshare-pid",
        "--unshare-net", "--unshare-uts", "--unshare-cgroup", "--disable-userns", "--assert-userns-disabled",
        "--ro-bind", "/usr", "/usr"));
    for (String dir : List.of("/bin", "/lib", "/lib64")) {
      Path path = Path.of(dir);
      if (Files.isSymbolicLink(path)) {
        try {
          trial.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), dir));
        } catch (IOException e) {
          // leave it out; the trial says whether /bin/sh runs
        }
      } else if (Files.isDirectory(path)) {
        trial.addAll(List.of("--ro-bind", dir, dir));
      }
    }
    trial.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--", "/bin/sh", "-c", "exit 0"));
    Optional<String> failed = run(trial);
    if (failed.isEmpty() && root) {
      failed = run(List.of(unshare.get().toString(), "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
          "mount -t tmpfs -o size=4k reef-probe /tmp"));
    }
    if (failed.isPresent()) {
      return Status.unusable("a trial sandbox failed: " + failed.get() + ". The agent sandbox needs user "
          + "namespaces (sysctl user.max_user_namespaces > 0; on Debian also kernel.unprivileged_userns_clone=1; "
          + "on Ubuntu 24.04+ an AppArmor profile that allows bwrap), and, when Reef runs as root, mount "
          + "namespaces. Or set REEF_SANDBOX=none to run agents unconfined (development only).");
    }
    List<String> weaker = new ArrayList<>();
    if (!root) {
      weaker.add("Reef does not run as root, so every agent runs as Reef's own uid (in namespaces of its own): an "
          + "agent that escaped its sandbox through a kernel flaw would be Reef's user. Run Reef as root to give "
          + "each tenant a uid of its own.");
    }
    return new Status(Optional.of(new Bubblewrap(bwrap.get(), socat.get(),
        setpriv.orElse(null), unshare.orElse(null))), Optional.empty(), root, List.copyOf(weaker));
  }

  static Optional<Path> find(String program) {
    return BIN_DIRS.stream().map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
  }

  /** Runs a command; empty when it exits 0, else what it printed (or why it could not run). */
  private static Optional<String> run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      byte[] output = process.getInputStream().readNBytes(4000);
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of("'" + command.getFirst() + "' did not finish within 20 s");
      }
      if (process.exitValue() == 0) {
        return Optional.empty();
      }
      String said = new String(output, StandardCharsets.UTF_8).strip();
      return Optional.of(Path.of(command.getFirst()).getFileName() + " exited with " + process.exitValue()
          + (said.isEmpty() ? "" : " (" + said.lines().limit(3).reduce((a, b) -> a + " | " + b).orElse("") + ")"));
    } catch (IOException e) {
      return Optional.of("cannot run " + command.getFirst() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

}
