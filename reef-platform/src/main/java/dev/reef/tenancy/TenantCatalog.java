package dev.reef.tenancy;

import dev.reef.common.TenantId;
import java.util.Optional;

/** Read access to tenants for other modules (the dashboard, orchestration). */
public interface TenantCatalog {

  /** The tenant, read in the caller's data scope. */
  Optional<Tenant> find(TenantId tenantId);

  /** Every suspended tenant, in one query; platform scope (the agents' reconciler, which stops their agents). */
  java.util.Set<TenantId> suspended();
}
