package dev.reef.gateway.internal.catalog;

import java.util.Set;

/**
 * What a plan's tenants may do through the proxy.
 *
 * @param models the allowed model ids, or null for every model in the catalog
 * @param byokCountsAgainstBudget whether calls made with the tenant's own provider key count against
 *     {@code monthlyBudgetUsd} (they are always recorded, and rate, token and concurrency caps always apply)
 */
public record PlanAccess(String planId, Set<String> models, boolean byokCountsAgainstBudget) {

  public static PlanAccess openTo(String planId) {
    return new PlanAccess(planId, null, false);
  }

  public boolean allows(String modelId) {
    return models == null || models.contains(modelId);
  }
}
