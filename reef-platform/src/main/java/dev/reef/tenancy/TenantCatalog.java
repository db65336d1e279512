package dev.reef.tenancy;

import dev.reef.common.TenantId;
import java.util.Optional;

/** Read access to tenants for other modules (the dashboard, orchestration). */
public interface TenantCatalog {

  /** The tenant, read in the caller's data scope. */
  Optional<Tenant> find(TenantId tenantId);
}
