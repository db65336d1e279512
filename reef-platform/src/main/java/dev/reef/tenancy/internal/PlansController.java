package dev.reef.tenancy.internal;

import dev.reef.access.AccessGuard;
import dev.reef.common.InvalidRequestException;
import dev.reef.tenancy.LimitName;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Plans (operator): named sets of limits; a limit a plan leaves out follows the platform default. */
@RestController
@RequestMapping("/api/v1/plans")
@Tag(name = "Plans")
class PlansController {

  private static final Pattern PLAN_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,63}$");

  private final AccessGuard guard;
  private final LimitRepository limits;
  private final Clock clock;

  PlansController(AccessGuard guard, LimitRepository limits, Clock clock) {
    this.guard = guard;
    this.limits = limits;
    this.clock = clock;
  }

  record PlanView(String id, String displayName, Map<String, Object> limits) {}

  record PlanList(List<PlanView> items) {}

  @GetMapping
  @Operation(summary = "List plans and the limits each sets (operator)")
  @Transactional(readOnly = true)
  PlanList list() {
    guard.requireOperator();
    return new PlanList(limits.plans().stream()
        .map(p -> new PlanView(p.id(), p.displayName(), LimitsView.values(limits.planLimits(p.id()))))
        .toList());
  }

  /** Body: {@code {"displayName": "...", "limits": {"requestsPerMinute": 120, "monthlyBudgetUsd": null}}}. */
  @PutMapping("/{planId}")
  @Operation(summary = "Create or replace a plan (operator)")
  @Transactional
  PlanView put(@PathVariable String planId, @RequestBody JsonNode body) {
    guard.requireOperator();
    if (!PLAN_ID.matcher(planId).matches()) {
      throw new InvalidRequestException("planId", "must be 1 to 64 lower-case letters, digits and dashes");
    }
    if (body == null || !body.isObject()) {
      throw new InvalidRequestException("(body)", "must be an object with displayName and limits");
    }
    for (String field : body.propertyNames()) {
      if (!field.equals("displayName") && !field.equals("limits")) {
        throw new InvalidRequestException(field, "unknown field; a plan has displayName and limits");
      }
    }
    JsonNode name = body.get("displayName");
    if (name == null || !name.isString() || name.asString().isBlank() || name.asString().length() > 200) {
      throw new InvalidRequestException("displayName", "must be 1 to 200 characters");
    }
    Map<LimitName, String> planLimits = body.has("limits") ? LimitValues.parse(body.get("limits")) : Map.of();
    limits.upsertPlan(planId, name.asString().trim(), planLimits, clock.instant());
    return new PlanView(planId, name.asString().trim(), LimitsView.values(limits.planLimits(planId)));
  }
}
