package dev.reef.tenancy.internal;

import dev.reef.access.TenantLookup;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantCatalog;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Answers the access guard's question "does this tenant exist, and is it active?", and lookups by id. */
@Component
final class TenantDirectory implements TenantLookup, TenantCatalog {

  private final TenantRepository tenants;

  TenantDirectory(TenantRepository tenants) {
    this.tenants = tenants;
  }

  @Override
  public Optional<TenantStatus> status(TenantId tenantId) {
    return tenants.status(tenantId);
  }

  @Override
  public Optional<Tenant> find(TenantId tenantId) {
    return tenants.find(tenantId);
  }

  @Override
  public java.util.Set<TenantId> suspended() {
    return tenants.suspendedAcrossTenants();
  }
}
