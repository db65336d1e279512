package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.gateway.CatalogAdministration;
import dev.reef.tenancy.LimitName;
import dev.reef.tenancy.TenantAdministration;
import dev.reef.tenancy.TenantAdministration.PlanInfo;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Plans, as the operator manages them without the API: each plan's limits (set, unlimited, or the platform default)
 * and which models its tenants may use, and whether their own-key (BYOK) spend counts against the budget.
 */
@Controller
@RequestMapping("/operator/plans")
class PlanPages {

  private final AccessGuard guard;
  private final Navigation navigation;
  private final TenantAdministration tenants;
  private final CatalogAdministration catalog;

  PlanPages(AccessGuard guard, Navigation navigation, TenantAdministration tenants, CatalogAdministration catalog) {
    this.guard = guard;
    this.navigation = navigation;
    this.tenants = tenants;
    this.catalog = catalog;
  }

  /** A plan in the list: its limits in words, and its models. */
  public record PlanLine(String id, String name, List<String> limits, String models, boolean byokCounted) {}

  /** One limit on a plan's form: {@code mode} is default (the platform's), unlimited or set. */
  public record PlanLimit(String name, String label, String mode, String value) {}

  @GetMapping
  String list(Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-plans");
    model.addAttribute("plans", tenants.planDetails().stream().map(this::line).toList());
    return "operator/plans";
  }

  /** The "new plan" box: on to the (empty) form of the plan with that id. */
  @GetMapping("/new")
  String newPlan(@RequestParam(required = false) String planId, RedirectAttributes flash) {
    guard.requireOperator(); // before anything about the request: others get 403, not a word about its fields
    if (planId == null || !planId.matches("[a-z0-9][a-z0-9-]{0,63}")) {
      flash.addFlashAttribute("failure", "Plan id: must be 1 to 64 lower-case letters, digits and dashes.");
      return "redirect:/operator/plans";
    }
    return "redirect:/operator/plans/" + planId;
  }

  @GetMapping("/{planId}")
  String form(@PathVariable String planId, Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-plans");
    PlanInfo plan = tenants.planDetails().stream().filter(p -> p.id().equals(planId)).findFirst()
        .orElse(new PlanInfo(planId, "", Map.of()));
    model.addAttribute("plan", plan);
    model.addAttribute("isNew", plan.displayName().isEmpty());
    model.addAttribute("fields", Arrays.stream(LimitName.values()).map(n -> new PlanLimit(n.json(),
        OperatorPages.label(n), !plan.limits().containsKey(n) ? "default" : plan.limits().get(n) == null
            ? "unlimited" : "set", plan.limits().get(n) == null ? "" : plan.limits().get(n))).toList());
    CatalogAdministration.PlanModels access = catalog.planModels(planId);
    model.addAttribute("allModels", access.models() == null);
    model.addAttribute("allowed", access.models() == null ? Set.of() : access.models());
    model.addAttribute("models", catalog.models().stream().map(CatalogAdministration.ModelInfo::id).toList());
    model.addAttribute("byokCounted", access.byokCountsAgainstBudget());
    return "operator/plan";
  }

  @PostMapping("/{planId}")
  String save(@PathVariable String planId, @RequestParam Map<String, String> form,
      @RequestParam(required = false) List<String> models, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    Map<String, String> labels = new HashMap<>();
    for (LimitName name : LimitName.values()) {
      labels.put(name.json(), OperatorPages.label(name));
    }
    labels.put("displayName", "Name");
    labels.put("planId", "Plan id");
    return FormOutcome.run(flash, "/operator/plans/" + planId, "Saved plan " + planId + ".", () -> {
      tenants.putPlan(planId, form.get("displayName"), limits(form));
      boolean all = "all".equals(form.get("modelAccess"));
      catalog.putPlanModels(planId, all ? null : new TreeSet<>(models == null ? List.of() : models),
          form.containsKey("byokCountsAgainstBudget"), caller.actor());
    }, labels, null);
  }

  /** The form's limits: {@code mode_x} default (absent), unlimited (null) or set ({@code value_x}). */
  static Map<LimitName, String> limits(Map<String, String> form) {
    Map<LimitName, String> limits = new EnumMap<>(LimitName.class);
    for (LimitName name : LimitName.values()) {
      switch (form.getOrDefault("mode_" + name.json(), "default")) {
        case "unlimited" -> limits.put(name, null);
        case "set" -> limits.put(name, name.normalize(OperatorPages.number(name, form.get("value_" + name.json()))));
        default -> { } // the platform default
      }
    }
    return limits;
  }

  private PlanLine line(PlanInfo plan) {
    List<String> limits = plan.limits().entrySet().stream().map(e -> OperatorPages.label(e.getKey()) + ": "
        + (e.getValue() == null ? "unlimited" : e.getValue())).toList();
    CatalogAdministration.PlanModels access = catalog.planModels(plan.id());
    return new PlanLine(plan.id(), plan.displayName(), limits, access.models() == null ? "every model"
        : access.models().isEmpty() ? "no model" : String.join(", ", access.models()),
        access.byokCountsAgainstBudget());
  }
}
