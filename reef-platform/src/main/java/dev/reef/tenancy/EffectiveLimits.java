package dev.reef.tenancy;

import dev.reef.common.TenantId;
import java.util.Map;

/**
 * The one place limit precedence is decided: the operator's override for the tenant, else the tenant's plan, else
 * the platform default (REEF_DEFAULT_*). A stored null at any level means unlimited and stops the search.
 */
public interface EffectiveLimits {

  Limits of(TenantId tenantId);

  /** The effective limits with where each came from, and the tenant's overrides alone. */
  Resolution explain(TenantId tenantId);

  record Resolution(String planId, Limits effective, Map<LimitName, LimitSource> sources,
      Map<LimitName, String> overrides) {}
}
