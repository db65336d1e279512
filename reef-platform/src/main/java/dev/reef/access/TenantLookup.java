package dev.reef.access;

import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import java.util.Optional;

/**
 * What the guard needs to know about a tenant. Implemented by the tenancy module, which owns tenants; declared here
 * so that access does not depend on tenancy (tenancy's endpoints depend on the guard).
 */
public interface TenantLookup {

  /** The tenant's status, or empty if there is no such tenant. */
  Optional<TenantStatus> status(TenantId tenantId);
}
