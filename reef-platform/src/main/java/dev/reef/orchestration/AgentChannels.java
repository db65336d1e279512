package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.util.List;
import java.util.UUID;

/**
 * The chat channels connected to agents, as orchestration needs them (implemented by the {@code channels} module):
 * what to hand the runtime at a start.
 */
public interface AgentChannels {

  /** The channels the agent's runtime connects at this start; none when the agent has none. */
  List<AgentChannel> forStart(TenantId tenantId, UUID agentId);

  AgentChannels NONE = (tenantId, agentId) -> List.of();
}
