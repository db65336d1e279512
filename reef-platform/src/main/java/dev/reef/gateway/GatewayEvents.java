package dev.reef.gateway;

import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.TenantId;
import java.util.Map;
import java.util.Optional;

/** Changes to the LLM catalog (platform audit log) and to tenants' own provider keys (the tenant's audit log). */
public final class GatewayEvents {

  private GatewayEvents() {}

  /** @param what {@code provider}, {@code model} or {@code plan_access}; {@code change} {@code put} or {@code delete} */
  public record CatalogChanged(Actor actor, String what, String name, String change) implements AuditableEvent {
    @Override
    public Optional<TenantId> tenantId() {
      return Optional.empty();
    }

    @Override
    public String action() {
      return "catalog." + what + "." + change;
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("name", name);
    }
  }

  public record ProviderKeyChanged(TenantId tenant, Actor actor, String provider, boolean removed)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return removed ? "provider_key.removed" : "provider_key.set";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("provider", provider);
    }
  }
}
