package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.util.List;
import java.util.UUID;

/**
 * The chat channels connected to agents, as orchestration needs them (implemented by the {@code channels} module):
 * what to hand the runtime at a start.
 */
public interface AgentChannels {

  /** The channels the agent's runtime connects at this start (with their credentials); none when it has none. */
  List<AgentChannel> forStart(TenantId tenantId, UUID agentId);

  /** Whether one of its channels is a connection the agent holds itself, which keeps it from sleeping. */
  default boolean keepsAwake(TenantId tenantId, UUID agentId) {
    return false;
  }

  /**
   * Hosts the agent may reach through the egress proxy because of its channels (Slack's, Discord's), besides its
   * tenant's allowlist: {@code slack.com}, {@code *.slack.com}; port 443.
   */
  default List<String> egressHosts(TenantId tenantId, UUID agentId) {
    return List.of();
  }

  AgentChannels NONE = (tenantId, agentId) -> List.of();
}
