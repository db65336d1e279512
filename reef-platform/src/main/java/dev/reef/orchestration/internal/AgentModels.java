package dev.reef.orchestration.internal;

import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import dev.reef.gateway.LlmCatalog;
import dev.reef.tenancy.EffectiveLimits;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Which model an agent uses: the one its tenant picked (among those the plan allows), else the operator's default
 * ({@code REEF_AGENT_DEFAULT_MODEL}) when the plan allows it, else the first model the plan allows.
 */
@Component
final class AgentModels {

  private final LlmCatalog catalog;
  private final EffectiveLimits limits;
  private final OrchestrationProperties properties;

  AgentModels(LlmCatalog catalog, EffectiveLimits limits, OrchestrationProperties properties) {
    this.catalog = catalog;
    this.limits = limits;
    this.properties = properties;
  }

  List<String> allowed(TenantId tenantId) {
    String plan = DataScope.callAs(tenantId, () -> limits.explain(tenantId)).planId();
    return catalog.modelsFor(plan);
  }

  /** Checks a tenant's choice; null means "the default". */
  String check(TenantId tenantId, String model) {
    if (model == null) {
      return null;
    }
    List<String> allowed = allowed(tenantId);
    if (!allowed.contains(model)) {
      throw new InvalidRequestException("model", "'" + model + "' is not a model your plan allows; choose one of "
          + allowed);
    }
    return model;
  }

  Optional<String> modelFor(AgentRow row) {
    List<String> allowed = allowed(row.tenantId());
    if (row.model() != null && allowed.contains(row.model())) {
      return Optional.of(row.model());
    }
    String fallback = properties.defaultModel();
    if (fallback != null && !fallback.isBlank() && allowed.contains(fallback)) {
      return Optional.of(fallback);
    }
    return allowed.stream().findFirst();
  }
}
