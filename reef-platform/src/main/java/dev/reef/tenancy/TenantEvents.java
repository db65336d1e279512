package dev.reef.tenancy;

import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.TenantId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What happens to tenants. Each is audited; other modules may react (e.g. stop a deleted tenant's agents). */
public final class TenantEvents {

  private TenantEvents() {}

  public record TenantCreated(TenantId tenant, Actor actor, String slug, String planId, boolean signup)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return signup ? "tenant.signed_up" : "tenant.created";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("slug", slug, "plan", planId);
    }
  }

  public record TenantUpdated(TenantId tenant, Actor actor, Map<String, Object> changes) implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "tenant.updated";
    }

    @Override
    public Map<String, Object> details() {
      return changes;
    }
  }

  public record TenantSuspended(TenantId tenant, Actor actor, String reason) implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "tenant.suspended";
    }

    @Override
    public Map<String, Object> details() {
      Map<String, Object> details = new LinkedHashMap<>();
      if (reason != null) {
        details.put("reason", reason);
      }
      return details;
    }
  }

  public record TenantResumed(TenantId tenant, Actor actor) implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "tenant.resumed";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of();
    }
  }

  public record TenantDeleted(TenantId tenant, Actor actor, String slug) implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "tenant.deleted";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("slug", slug);
    }
  }

  /** @param overrides the tenant's overrides after the change (limit name to value, null meaning unlimited) */
  public record TenantLimitsChanged(TenantId tenant, Actor actor, Map<String, Object> overrides)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "limits.changed";
    }

    @Override
    public Map<String, Object> details() {
      return overrides;
    }
  }
}
