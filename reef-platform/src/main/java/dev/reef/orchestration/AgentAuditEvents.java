package dev.reef.orchestration;

import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.TenantId;
import java.util.Map;
import java.util.UUID;

/** What people do to agents, for the tenant's audit log. State changes the reconciler makes are agent events. */
public final class AgentAuditEvents {

  private AgentAuditEvents() {}

  /** @param action {@code created}, {@code deleted}, {@code start}, {@code stop}, {@code restart}, {@code updated} */
  public record AgentChanged(TenantId tenant, Actor actor, UUID agentId, String agentName, String change)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "agent." + change;
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("agentId", agentId.toString(), "name", agentName);
    }
  }
}
