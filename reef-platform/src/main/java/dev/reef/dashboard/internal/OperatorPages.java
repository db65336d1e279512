package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.gateway.CatalogAdministration;
import dev.reef.gateway.ProviderType;
import dev.reef.metering.MeterLimits.Money;
import dev.reef.metering.MeterSnapshot;
import dev.reef.metering.UsageMeter;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.platform.PublicUrls;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.LimitName;
import dev.reef.tenancy.LimitSource;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantAdministration;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The platform operator's pages: tenants (search, status, this month's usage, agents running; suspend, resume,
 * limits), the LLM catalog (providers, models, prices) and system health. Others get what the API gives them: 403
 * from {@code requireOperator}, and 404 or 403 from the guard on a tenant's route.
 */
@Controller
@RequestMapping("/operator")
class OperatorPages {

  static final int PAGE_SIZE = 50;

  private final AccessGuard guard;
  private final Navigation navigation;
  private final TenantAdministration tenants;
  private final EffectiveLimits limits;
  private final UsageMeter meter;
  private final Agents agents;
  private final CatalogAdministration catalog;
  private final SystemHealth health;

  private final dev.reef.access.TenantInvitations invitations;
  private final dev.reef.platform.ReefProperties properties;

  OperatorPages(AccessGuard guard, Navigation navigation, TenantAdministration tenants, EffectiveLimits limits,
      UsageMeter meter, Agents agents, CatalogAdministration catalog, SystemHealth health,
      dev.reef.access.TenantInvitations invitations, dev.reef.platform.ReefProperties properties) {
    this.invitations = invitations;
    this.properties = properties;
    this.guard = guard;
    this.navigation = navigation;
    this.tenants = tenants;
    this.limits = limits;
    this.meter = meter;
    this.agents = agents;
    this.catalog = catalog;
    this.health = health;
  }

  public record TenantRow(String id, String name, String slug, String status, String statusReason, String plan,
      String spent, String tokens, long running, long agents) {}

  /** One limit on the edit form: how it is set now, and where the effective value comes from. */
  public record LimitField(String name, String label, String mode, String value, String effective, String source,
      boolean decimal) {}

  @GetMapping
  String operator() {
    guard.requireOperator();
    return "redirect:/operator/tenants";
  }

  @GetMapping("/tenants")
  String tenants(@RequestParam(required = false) String q, @RequestParam(required = false) String status,
      @RequestParam(defaultValue = "0") int offset, Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-tenants");
    TenantStatus wanted = "active".equals(status) ? TenantStatus.ACTIVE
        : "suspended".equals(status) ? TenantStatus.SUSPENDED : null;
    int from = Math.max(0, offset);
    List<Tenant> found = tenants.list(q == null || q.isBlank() ? null : q.trim(), wanted, PAGE_SIZE + 1, from);
    model.addAttribute("rows", found.stream().limit(PAGE_SIZE).map(this::row).toList());
    model.addAttribute("q", q == null ? "" : q);
    model.addAttribute("status", wanted == null ? "" : wanted.json());
    model.addAttribute("previousOffset", from == 0 ? null : Math.max(0, from - PAGE_SIZE));
    model.addAttribute("nextOffset", found.size() > PAGE_SIZE ? from + PAGE_SIZE : null);
    return "operator/tenants";
  }

  /** Suspending stops a customer's agents at once: it is asked for twice, once here and once on this page. */
  @GetMapping("/tenants/{tenantId}/suspend")
  String suspendForm(@PathVariable TenantId tenantId, Model model) {
    guard.require(tenantId, TenantPermission.TENANT_SUSPEND);
    navigation.page(model, "operator-tenants");
    model.addAttribute("subject", row(navigation.tenant(tenantId)));
    return "operator/tenant-suspend";
  }

  /** A new tenant, and (optionally) its first owner invited by email: the link is shown once. */
  @GetMapping("/tenants/new")
  String newTenantForm(Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-tenants");
    model.addAttribute("plans", tenants.plans());
    return "operator/tenant-new";
  }

  @PostMapping("/tenants/new")
  String createTenant(@RequestParam String name, @RequestParam(required = false) String slug,
      @RequestParam(required = false) String plan, @RequestParam(required = false) String ownerEmail, Model model) {
    Caller caller = guard.requireOperator();
    navigation.page(model, "operator-tenants");
    model.addAttribute("plans", tenants.plans());
    try {
      Tenant created = tenants.create(name, slug, plan == null || plan.isBlank() ? null : plan, caller.actor());
      model.addAttribute("created", created);
      if (ownerEmail != null && !ownerEmail.isBlank()) {
        dev.reef.access.TenantInvitations.Invited invited = DataScope.callAs(created.id(),
            () -> invitations.invite(created.id(), ownerEmail.trim(), dev.reef.access.Role.OWNER, caller));
        model.addAttribute("inviteLink", PublicUrls.absolute(properties, invited.acceptPath()));
        model.addAttribute("invitedEmail", ownerEmail.trim());
      }
    } catch (dev.reef.common.ProblemException e) {
      if (!FormOutcome.fixable(e)) {
        throw e;
      }
      model.addAttribute("failure", FormOutcome.labelled(e.detail(), Map.of("displayName", "Name", "name", "Name",
          "slug", "Slug", "plan", "Plan", "email", "Owner's email")));
      model.addAttribute("typed", Map.of("name", name, "slug", slug == null ? "" : slug, "plan",
          plan == null ? "" : plan, "ownerEmail", ownerEmail == null ? "" : ownerEmail));
    }
    return "operator/tenant-new";
  }

  @PostMapping("/tenants/{tenantId}/suspend")
  String suspend(@PathVariable TenantId tenantId, @RequestParam(required = false) String reason,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.TENANT_SUSPEND);
    return FormOutcome.run(flash, "/operator/tenants", "Suspended the tenant; its agents are being stopped.",
        () -> tenants.suspend(tenantId, reason == null || reason.isBlank() ? null : reason.trim(), caller.actor()));
  }

  @PostMapping("/tenants/{tenantId}/resume")
  String resume(@PathVariable TenantId tenantId, RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.TENANT_SUSPEND);
    return FormOutcome.run(flash, "/operator/tenants", "Resumed the tenant.",
        () -> tenants.resume(tenantId, caller.actor()));
  }

  @GetMapping("/tenants/{tenantId}/limits")
  String limitsForm(@PathVariable TenantId tenantId, Model model) {
    guard.require(tenantId, TenantPermission.LIMITS_WRITE);
    navigation.page(model, "operator-tenants");
    Tenant tenant = navigation.tenant(tenantId);
    model.addAttribute("subject", tenant);
    EffectiveLimits.Resolution r = limits.explain(tenantId);
    model.addAttribute("plan", r.planId());
    model.addAttribute("fields", Arrays.stream(LimitName.values()).map(n -> field(n, r)).toList());
    return "operator/limits";
  }

  /** Each limit: {@code mode_X} is {@code plan} (follow the plan), {@code unlimited} or {@code set} with {@code value_X}. */
  @PostMapping("/tenants/{tenantId}/limits")
  String saveLimits(@PathVariable TenantId tenantId, @RequestParam Map<String, String> form,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.LIMITS_WRITE);
    Map<String, String> labels = new java.util.HashMap<>();
    for (LimitName name : LimitName.values()) {
      labels.put(name.json(), label(name));
    }
    return FormOutcome.run(flash, "/operator/tenants/" + tenantId + "/limits", "Saved the tenant's limits.",
        () -> tenants.replaceOverrides(tenantId, overrides(form), caller.actor()), labels, null);
  }

  static Map<LimitName, String> overrides(Map<String, String> form) {
    Map<LimitName, String> overrides = new EnumMap<>(LimitName.class);
    for (LimitName name : LimitName.values()) {
      String mode = form.getOrDefault("mode_" + name.json(), "plan");
      switch (mode) {
        case "unlimited" -> overrides.put(name, null);
        case "set" -> overrides.put(name, name.normalize(number(name, form.get("value_" + name.json()))));
        default -> { } // follows the plan
      }
    }
    return overrides;
  }

  // --- catalog ---

  @GetMapping("/catalog")
  String catalog(Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-catalog");
    model.addAttribute("providers", catalog.providers());
    model.addAttribute("models", catalog.models());
    model.addAttribute("timeouts", catalog.timeouts());
    model.addAttribute("providerTypes", Arrays.stream(ProviderType.values()).map(ProviderType::json).toList());
    return "operator/catalog";
  }

  /** The provider form's labels, for its errors. */
  static final Map<String, String> PROVIDER_LABELS = Map.of("name", "Name", "providerName", "Name", "type", "Type",
      "baseUrl", "Base URL", "apiKey", "API key", "maxConcurrency", "Concurrent calls");

  /** The model form's labels, for its errors. */
  static final Map<String, String> MODEL_LABELS = Map.of("modelId", "Model id", "id", "Model id",
      "provider", "Provider", "upstreamModel", "Upstream model", "inputUsdPerMTok", "Input USD / million tokens",
      "outputUsdPerMTok", "Output USD / million tokens", "cachedInputUsdPerMTok", "Cached input USD / million tokens");

  @PostMapping("/catalog/providers")
  String putProvider(@RequestParam String name, @RequestParam String type, @RequestParam String baseUrl,
      @RequestParam(required = false) String apiKey, @RequestParam(required = false) Integer maxConcurrency,
      RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    // what was typed comes back on a failure, but never the key
    Map<String, Object> typed = new java.util.HashMap<>(Map.of("form", "provider", "name", name, "type", type,
        "baseUrl", baseUrl));
    if (maxConcurrency != null) {
      typed.put("maxConcurrency", maxConcurrency);
    }
    return FormOutcome.run(flash, "/operator/catalog", "Saved provider " + name + ".",
        () -> catalog.putProvider(name.trim(), ProviderType.parse(type), baseUrl,
            apiKey == null || apiKey.isBlank() ? null : apiKey.trim(), maxConcurrency, caller.actor()),
        PROVIDER_LABELS, typed);
  }

  @PostMapping("/catalog/providers/{name}/test")
  String testProvider(@PathVariable String name, RedirectAttributes flash) {
    guard.requireOperator();
    CatalogAdministration.ConnectionTest test = catalog.testProvider(name);
    flash.addFlashAttribute(test.ok() ? "notice" : "failure", "Provider " + name + ": " + test.message() + " ("
        + test.millis() + " ms).");
    return "redirect:/operator/catalog";
  }

  @PostMapping("/catalog/providers/{name}/delete")
  String deleteProvider(@PathVariable String name, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, "/operator/catalog", "Deleted provider " + name + ".",
        () -> catalog.deleteProvider(name, caller.actor()));
  }

  @PostMapping("/catalog/models")
  String putModel(@RequestParam String id, @RequestParam String provider, @RequestParam String upstreamModel,
      @RequestParam String inputUsdPerMTok, @RequestParam String outputUsdPerMTok,
      @RequestParam(required = false) String cachedInputUsdPerMTok, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    Map<String, Object> typed = new java.util.HashMap<>(Map.of("form", "model", "id", id, "provider", provider,
        "upstreamModel", upstreamModel, "inputUsdPerMTok", inputUsdPerMTok, "outputUsdPerMTok", outputUsdPerMTok));
    if (cachedInputUsdPerMTok != null) {
      typed.put("cachedInputUsdPerMTok", cachedInputUsdPerMTok);
    }
    return FormOutcome.run(flash, "/operator/catalog", "Saved model " + id + ".",
        () -> catalog.putModel(id.trim(), provider, upstreamModel, price("inputUsdPerMTok", inputUsdPerMTok),
            price("outputUsdPerMTok", outputUsdPerMTok),
            cachedInputUsdPerMTok == null || cachedInputUsdPerMTok.isBlank() ? null
                : price("cachedInputUsdPerMTok", cachedInputUsdPerMTok), List.of(), caller.actor()),
        MODEL_LABELS, typed);
  }

  @PostMapping("/catalog/models/{modelId}/delete")
  String deleteModel(@PathVariable String modelId, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, "/operator/catalog", "Deleted model " + modelId + ".",
        () -> catalog.deleteModel(modelId, caller.actor()));
  }

  // --- health ---

  @GetMapping("/health")
  String health(Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-health");
    model.addAttribute("health", health.now());
    model.addAttribute("providers", health.providers());
    return "operator/health";
  }

  private TenantRow row(Tenant t) {
    Optional<MeterSnapshot> usage = Optional.empty();
    try {
      usage = Optional.of(meter.snapshot(t.id()));
    } catch (RuntimeException e) {
      // the meter's store is down: the table still lists the tenant
    }
    List<Agent> list = agents.list(t.id());
    long running = list.stream().filter(a -> a.state() instanceof AgentState.Running).count();
    return new TenantRow(t.id().toString(), t.displayName(), t.slug(), t.status().json(), t.statusReason(),
        t.planId(), usage.map(s -> UsageCharts.Unit.USD.format(Money.toUsd(s.spentMicros()))).orElse("?"),
        usage.map(s -> UsageCharts.compact(s.tokens())).orElse("?"), running, list.size());
  }

  private static LimitField field(LimitName name, EffectiveLimits.Resolution r) {
    boolean overridden = r.overrides().containsKey(name);
    String stored = r.overrides().get(name);
    String mode = !overridden ? "plan" : stored == null ? "unlimited" : "set";
    Object effective = r.effective().get(name);
    LimitSource source = r.sources().get(name);
    return new LimitField(name.json(), label(name), mode, stored == null ? "" : stored,
        effective == null ? "unlimited" : effective.toString(), source == null ? "" : source.json(),
        name.decimal());
  }

  static String label(LimitName name) {
    return switch (name) {
      case MONTHLY_BUDGET_USD -> "Monthly budget (USD)";
      case MONTHLY_TOKENS -> "Monthly tokens";
      case REQUESTS_PER_MINUTE -> "Requests per minute";
      case TOKENS_PER_MINUTE -> "Tokens per minute";
      case MAX_CONCURRENT_REQUESTS -> "Concurrent requests";
      case MAX_AGENTS -> "Agents";
      case AGENT_MEMORY_MB -> "Agent memory (MB)";
      case AGENT_CPU_MILLIS -> "Agent CPU (millicores)";
      case AGENT_MAX_PROCESSES -> "Agent processes and threads";
      case AGENT_DISK_MB -> "Agent disk (MB)";
      case IDLE_STOP_MINUTES -> "Stop idle agents after (minutes)";
      case RUNTIME_PIN_DAYS -> "Runtime pin (days; 0: none)";
    };
  }

  static BigDecimal number(LimitName name, String text) {
    return decimal(name.json(), text, "must be a number");
  }

  private static BigDecimal price(String field, String text) {
    return decimal(field, text, "must be a price in USD per million tokens");
  }

  private static BigDecimal decimal(String field, String text, String message) {
    try {
      return new BigDecimal(text == null ? "" : text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(field, message);
    }
  }
}
