package dev.reef.gateway;

import java.util.List;

/** Which models tenants may use, for modules that let a tenant choose one (an agent's model). */
public interface LlmCatalog {

  /** The model ids the plan allows, sorted. */
  List<String> modelsFor(String planId);

  /** Whether calls on a tenant's own provider keys (BYOK) count against the plan's budget. */
  boolean byokCountsAgainstBudget(String planId);
}
