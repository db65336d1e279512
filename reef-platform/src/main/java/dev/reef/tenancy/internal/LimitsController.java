package dev.reef.tenancy.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.LimitName;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/limits")
@Tag(name = "Limits")
class LimitsController {

  private final AccessGuard guard;
  private final EffectiveLimits effectiveLimits;
  private final TenantService tenants;

  LimitsController(AccessGuard guard, EffectiveLimits effectiveLimits, TenantService tenants) {
    this.guard = guard;
    this.effectiveLimits = effectiveLimits;
    this.tenants = tenants;
  }

  @GetMapping
  @Operation(summary = "The tenant's effective limits, where each comes from, and the operator's overrides")
  LimitsView get(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.LIMITS_READ);
    return LimitsView.of(tenantId, effectiveLimits.explain(tenantId));
  }

  /**
   * Replaces the tenant's overrides (operator). Body: an object of limit names; a number sets the limit, null makes
   * it unlimited, and a limit left out follows the plan.
   */
  @PutMapping
  @Operation(summary = "Set the tenant's limit overrides (operator); null = unlimited, absent = follow the plan")
  LimitsView put(@PathVariable TenantId tenantId, @RequestBody JsonNode body) {
    Caller caller = guard.require(tenantId, TenantPermission.LIMITS_WRITE);
    Map<LimitName, String> overrides = LimitValues.parse(body);
    tenants.replaceOverrides(tenantId, overrides, caller.actor());
    return LimitsView.of(tenantId, effectiveLimits.explain(tenantId));
  }
}
