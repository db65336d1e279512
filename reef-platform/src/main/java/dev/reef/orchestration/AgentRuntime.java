package dev.reef.orchestration;

import java.util.function.Consumer;

/**
 * A kind of agent Reef can host (OpenClaw), implemented in the {@code runtimes} module. Declared here so
 * orchestration does not depend on any particular runtime.
 *
 * <p>Installation is shared by every agent of a version; configuration is rendered per agent at each start,
 * because each start gets fresh credentials.
 */
public interface AgentRuntime {

  /** As in the API's {@code runtime} field, e.g. {@code openclaw}. */
  String name();

  /** The pinned version new agents get. */
  String defaultVersion();

  /**
   * Makes {@code version} available locally, downloading it the first time; concurrent callers share one install.
   * Reports progress as human-readable lines. Idempotent and fast once installed.
   *
   * @throws RuntimeInstallException with a clear reason when it cannot be installed
   */
  Installation install(String version, Consumer<String> progress);

  /** The command, environment and config files to start one agent. */
  Launch launch(Installation installation, RuntimeContext context);

  /** The path that answers 200 once the agent is ready, e.g. {@code /readyz}. */
  String readinessPath();

  /**
   * The path a health probe asks after the agent has moved to another version and become ready, to check it
   * stays up and serving (a rollout's health check). Defaults to the readiness path.
   */
  default String probePath() {
    return readinessPath();
  }

  /** The versions installed on this machine, newest first; at least the default once an agent ran on it. */
  default java.util.List<String> installedVersions() {
    return java.util.List.of(defaultVersion());
  }

  /**
   * The versions that could be installed (from the runtime's registry), newest first; empty when they cannot be
   * listed now. May take seconds: callers cache it.
   */
  default java.util.List<String> availableVersions() {
    return installedVersions();
  }

  /** Whether {@code version} is installed here (a rollout's target must be, on a driver that installs locally). */
  default boolean isInstalled(String version) {
    return installedVersions().contains(version);
  }

  /**
   * The runs the running agent has scheduled for itself, soonest first, asked of the agent itself (so it is what
   * the agent says: Reef bounds what it does with it). Empty for a runtime that schedules nothing.
   *
   * @param gatewayToken the secret Reef talks to the agent with
   * @throws IOException when the agent cannot be asked now
   */
  default java.util.List<ScheduledRun> upcomingRuns(Placement placement, String gatewayToken, AgentSockets sockets,
      java.time.Duration timeout) throws java.io.IOException {
    return java.util.List.of();
  }

  /** The agent's own OpenAI-compatible chat endpoint and the model name it answers to. */
  String chatPath();

  String chatModel();
}
