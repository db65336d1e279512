package dev.reef.access;

import dev.reef.common.TenantId;
import java.util.UUID;

/**
 * Agents' credentials for the LLM proxy. One live token per agent: minting a new one revokes the old, and
 * revocation takes effect at once on this replica (within seconds on others).
 */
public interface AgentTokens {

  /** A fresh token for the agent ({@code reef_at_...}); any earlier token of that agent stops working. */
  String mint(TenantId tenantId, UUID agentId);

  /** The agent's token stops working. Idempotent. */
  void revoke(TenantId tenantId, UUID agentId);
}
