package dev.reef.orchestration.internal.process;

import dev.reef.orchestration.AgentEgress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the process driver needs to sandbox agents: what the machine allows, whose uid each tenant gets, where
 * the sockets live, Reef's two proxies for agents, and how disk limits are kept.
 *
 * @param wanted false with {@code REEF_SANDBOX=none}: agents run as plain processes
 * @param support what the machine allows (meaningless when not wanted)
 * @param runRoot the directory of this data directory's sockets (short, see {@link SandboxProperties#runDir})
 */
record Sandboxing(boolean wanted, SandboxSupport.Status support, SandboxUids uids, Path runRoot, LlmDoor llmDoor,
    AgentEgress egress, AgentDisks disks) {

  static Sandboxing off() {
    return new Sandboxing(false, SandboxSupport.Status.unusable("the sandbox is off (REEF_SANDBOX=none)"),
        tenant -> -1, null, null, AgentEgress.NONE, AgentDisks.disabled("the sandbox is off (REEF_SANDBOX=none)"));
  }

  /** Why agents cannot start, when the sandbox is wanted but the machine does not allow it. */
  Optional<String> unavailable() {
    return wanted && !support.usable() ? support.problem() : Optional.empty();
  }

  boolean on() {
    return wanted && support.usable();
  }

  Bubblewrap bubblewrap() {
    return support.bubblewrap().orElseThrow();
  }

  /** The directory of one agent's sockets: its gateway's ({@code gateway/}) and Reef's doors ({@code reef/}). */
  Path agentSockets(java.util.UUID agentId) {
    return runRoot.resolve("a").resolve(agentId.toString().replace("-", ""));
  }
}
