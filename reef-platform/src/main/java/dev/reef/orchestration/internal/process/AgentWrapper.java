package dev.reef.orchestration.internal.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The small POSIX shell program every agent runs under, started through {@code setsid} so that it leads a new
 * session and process group of its own: Reef's death, a terminal hang-up or a signal to Reef's group do not reach
 * the agent, and a signal to the wrapper's group reaches the agent and all its children.
 *
 * <p>It exists because an exit status is only known to a process's parent, and Reef may be gone (restarted) when
 * the agent ends. In order, it:
 * <ol>
 *   <li>writes its own pid to {@code run/wrapper.pid};
 *   <li>moves itself into the agent's control groups, so everything it starts is limited (a failure is reported to
 *       the log and the agent runs unlimited; Reef sees it and records it);
 *   <li>catches SIGTERM, SIGINT and SIGHUP, so a stop signal to the group does not end the wrapper before the agent:
 *       a shell runs such a trap only once its foreground command has ended, and the agent itself gets the signal's
 *       default action, because caught signals are reset at {@code exec};
 *   <li>runs the command as a child that writes its pid to {@code run/agent.pid} and then {@code exec}s the command,
 *       so the recorded pid is the agent's own (and unsets {@code PWD}, which a shell would otherwise add to the
 *       agent's environment);
 *   <li>writes the command's status ({@code $?}, 128 + n for signal n) to {@code run/exit};
 *   <li>kills what is left of its process group, itself included: like a container whose main process ended, an
 *       agent is over when its command is, and stragglers are not left running unaccounted.
 * </ol>
 */
final class AgentWrapper {

  static final String WRAPPER_PID = "wrapper.pid";
  static final String AGENT_PID = "agent.pid";
  static final String EXIT = "exit";

  static final String SCRIPT = """
      run=$1; groups=$2; shift 2
      echo $$ > "$run/wrapper.pid"
      while [ "$groups" -gt 0 ]; do
        echo $$ > "$1" || echo "reef: could not join control group $1; the agent runs without its limits" >&2
        shift; groups=$((groups - 1))
      done
      trap 'stopping=1' TERM INT HUP
      /bin/sh -c 'unset PWD; echo $$ > "$0"; exec "$@"' "$run/agent.pid" "$@"
      echo $? > "$run/exit"
      kill -KILL 0
      """;

  private AgentWrapper() {}

  /** The command line that starts {@code command} under the wrapper, in a new session. */
  static List<String> commandLine(Path setsid, Path runDir, List<Path> cgroupProcsFiles, List<String> command) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("the launch has no command");
    }
    List<String> line = new ArrayList<>(List.of(setsid.toString(), "/bin/sh", "-c", SCRIPT, "reef-agent",
        runDir.toString(), Integer.toString(cgroupProcsFiles.size())));
    cgroupProcsFiles.forEach(p -> line.add(p.toString()));
    line.addAll(command);
    return line;
  }
}
