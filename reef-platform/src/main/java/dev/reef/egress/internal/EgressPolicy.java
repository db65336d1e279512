package dev.reef.egress.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A tenant's effective allowlist, resolved in one place: the operator's override for the tenant, else the tenant's
 * plan's, else nothing. Read through a cache of a few seconds, so a change reaches new connections within
 * {@link #FRESHNESS} (tunnels already open go on).
 */
@Component
class EgressPolicy {

  static final Duration FRESHNESS = Duration.ofSeconds(5);

  /** Where a tenant's allowlist comes from. */
  enum Source { TENANT, PLAN, NONE }

  /** The allowlist in force for a tenant, whether the tenant may connect at all, and where it comes from. */
  record Effective(List<EgressRule> rules, Source source, String planId, boolean active) {

    Optional<EgressRule> match(String host, int port) {
      return rules.stream().filter(r -> r.matches(host, port)).findFirst();
    }
  }

  private final EgressRepository repository;
  private final TenantCatalog tenants;
  private final TransactionTemplate tx;
  private final Cache<TenantId, Effective> cache = Caffeine.newBuilder().expireAfterWrite(FRESHNESS)
      .maximumSize(100_000).build();

  EgressPolicy(EgressRepository repository, TenantCatalog tenants, TransactionTemplate tx) {
    this.repository = repository;
    this.tenants = tenants;
    this.tx = tx;
  }

  /** As it is now (no cache): for the API. */
  Effective resolve(TenantId tenantId) {
    return DataScope.callAs(tenantId, () -> tx.execute(status -> {
      Optional<Tenant> tenant = tenants.find(tenantId);
      String planId = tenant.map(Tenant::planId).orElse(null);
      boolean active = tenant.map(t -> t.status() == TenantStatus.ACTIVE).orElse(false);
      Optional<List<EgressRule>> override = repository.tenantOverride(tenantId);
      if (override.isPresent()) {
        return new Effective(override.get(), Source.TENANT, planId, active);
      }
      Optional<List<EgressRule>> plan = planId == null ? Optional.empty() : repository.plan(planId);
      return plan.map(rules -> new Effective(rules, Source.PLAN, planId, active))
          .orElseGet(() -> new Effective(List.of(), Source.NONE, planId, active));
    }));
  }

  /** As the proxy sees it: at most {@link #FRESHNESS} old. */
  Effective current(TenantId tenantId) {
    return cache.get(tenantId, this::resolve);
  }

  /** Forgets what is cached for the tenant (after an API change on this replica). */
  void changed(TenantId tenantId) {
    cache.invalidate(tenantId);
  }

  void changedAll() {
    cache.invalidateAll();
  }
}
