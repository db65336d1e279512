package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import dev.reef.orchestration.RuntimeRollouts;
import dev.reef.orchestration.RuntimeRollouts.Rollout;
import dev.reef.orchestration.RuntimeRollouts.RolloutRequest;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's runtime page: versions installed and the agents on each, installs under way, rollouts with their
 * progress (refreshed while one is active), and the forms to install, roll out, pause, resume and cancel.
 */
@Controller
@RequestMapping("/operator/runtimes")
class RuntimePages {

  private static final String PAGE = "/operator/runtimes";

  private final AccessGuard guard;
  private final Navigation navigation;
  private final RuntimeRollouts rollouts;

  RuntimePages(AccessGuard guard, Navigation navigation, RuntimeRollouts rollouts) {
    this.guard = guard;
    this.navigation = navigation;
    this.rollouts = rollouts;
  }

  @GetMapping
  String page(Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-runtimes");
    List<Rollout> all = rollouts.list();
    model.addAttribute("runtimes", rollouts.runtimes(false));
    model.addAttribute("rollouts", all);
    model.addAttribute("refreshing", all.stream().anyMatch(r -> r.state().equals("running")
        || r.state().equals("paused") || r.count("rolling_back") > 0)
        || rollouts.runtimes(false).stream().anyMatch(r -> r.versions().stream()
            .anyMatch(v -> v.install().equals("installing"))));
    return "operator/runtimes";
  }

  @GetMapping("/rollouts/{rolloutId}")
  String rollout(@PathVariable UUID rolloutId, Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-runtimes");
    Rollout rollout = rollouts.get(rolloutId);
    model.addAttribute("rollout", rollout);
    model.addAttribute("agents", rollouts.agents(rolloutId));
    model.addAttribute("refreshing", rollout.state().equals("running") || rollout.state().equals("paused")
        || rollout.count("rolling_back") > 0);
    return "operator/rollout";
  }

  @PostMapping("/installs")
  String install(@RequestParam String runtime, @RequestParam String version, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, PAGE, "Installing " + runtime + " " + version.strip() + "; progress below.",
        () -> rollouts.install(runtime, version.strip(), caller.actor()));
  }

  @PostMapping("/rollouts")
  String start(@RequestParam String runtime, @RequestParam String targetVersion,
      @RequestParam(required = false) Integer canaryPercent, @RequestParam(required = false) String canaryTenants,
      @RequestParam(required = false) String tenants, @RequestParam(required = false) Integer batchSize,
      @RequestParam(required = false) Integer pauseSeconds, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, PAGE, "Rolling out " + runtime + " " + targetVersion + ".",
        () -> rollouts.start(new RolloutRequest(runtime, targetVersion, tenantList("tenants", tenants), canaryPercent,
            tenantList("canaryTenants", canaryTenants), batchSize, pauseSeconds), caller.actor()));
  }

  @PostMapping("/rollouts/{rolloutId}/{action}")
  String act(@PathVariable UUID rolloutId, @PathVariable String action, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, PAGE, switch (action) {
      case "pause" -> "Paused the rollout; moves under way finish.";
      case "resume" -> "Resumed the rollout.";
      case "cancel" -> "Cancelled the rollout; agents already moved stay.";
      default -> null;
    }, () -> {
      switch (action) {
        case "pause" -> rollouts.pause(rolloutId, caller.actor());
        case "resume" -> rollouts.resume(rolloutId, caller.actor());
        case "cancel" -> rollouts.cancel(rolloutId, caller.actor());
        default -> throw new InvalidRequestException("action", "must be pause, resume or cancel");
      }
    });
  }

  /** Tenant ids separated by commas, spaces or lines; empty: none given. */
  private static List<TenantId> tenantList(String field, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Arrays.stream(text.split("[,\\s]+")).filter(s -> !s.isBlank()).map(TenantId::parse).toList();
    } catch (RuntimeException e) {
      throw new InvalidRequestException(field, "must be tenant ids separated by commas");
    }
  }
}
