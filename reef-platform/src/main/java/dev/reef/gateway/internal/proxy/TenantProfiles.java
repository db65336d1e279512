package dev.reef.gateway.internal.proxy;

import dev.reef.access.TenantLookup;
import dev.reef.common.AuditableEvent;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.metering.MeterLimits;
import dev.reef.platform.OutageTolerantCache;
import dev.reef.tenancy.EffectiveLimits;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * What the proxy needs to know about a tenant on every call - status, plan, caps - cached for two seconds so the
 * hot path does not touch the database, and kept while the database cannot be reached. A change made on this replica
 * (suspend, new limits, new plan) applies at once; on other replicas within the cache time.
 */
@Component
final class TenantProfiles {

  record Profile(TenantId tenantId, TenantStatus status, String planId, MeterLimits limits) {}

  private final OutageTolerantCache<TenantId, Optional<Profile>> profiles;

  TenantProfiles(TenantLookup tenants, EffectiveLimits limits) {
    this.profiles = new OutageTolerantCache<>(Duration.ofSeconds(2), 100_000,
        t -> DataScope.callAsPlatform(() -> tenants.status(t)).map(status -> {
          EffectiveLimits.Resolution r = DataScope.callAs(t, () -> limits.explain(t));
          return new Profile(t, status, r.planId(), MeterLimits.of(r.effective()));
        }));
  }

  Optional<Profile> get(TenantId tenantId) {
    return profiles.get(tenantId);
  }

  /** Any audited change to a tenant may change its status, plan or limits: forget what we knew. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(AuditableEvent event) {
    event.tenantId().ifPresent(profiles::invalidate);
  }
}
