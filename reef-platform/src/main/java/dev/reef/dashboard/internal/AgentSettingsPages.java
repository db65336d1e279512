package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.gateway.CatalogAdministration;
import dev.reef.gateway.LlmCatalog;
import dev.reef.orchestration.AgentConfig;
import dev.reef.orchestration.AgentConfigs;
import dev.reef.orchestration.Agents;
import dev.reef.tenancy.EffectiveLimits;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * An agent's settings: its model (with prices), persona files (Markdown, with a preview), tools and heartbeat; the
 * versions, what each changed (persona files as a diff), and a rollback to any of them. Saving is one change, a new
 * version; a running agent restarts to apply it, and the page says so.
 */
@Controller
@RequestMapping("/t/{tenantId}/agents/{agentId}/settings")
class AgentSettingsPages {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);
  private static final Map<String, String> LABELS = Map.of("model", "Model", "toolProfile", "Tool profile",
      "toolsAllow", "Tools allowed", "toolsDeny", "Tools denied", "heartbeatEvery", "Heartbeat every",
      "heartbeatModel", "Heartbeat model");

  private final AccessGuard guard;
  private final Navigation navigation;
  private final Agents agents;
  private final AgentConfigs configs;
  private final LlmCatalog catalog;
  private final CatalogAdministration prices;
  private final EffectiveLimits limits;
  private final Clock clock;

  AgentSettingsPages(AccessGuard guard, Navigation navigation, Agents agents, AgentConfigs configs,
      LlmCatalog catalog, CatalogAdministration prices, EffectiveLimits limits, Clock clock) {
    this.guard = guard;
    this.navigation = navigation;
    this.agents = agents;
    this.configs = configs;
    this.catalog = catalog;
    this.prices = prices;
    this.limits = limits;
    this.clock = clock;
  }

  /** OpenClaw's tool groups a person may switch off with one tick (its docs/gateway/config-tools/tool-policy.md). */
  static final Map<String, String> TOOL_GROUPS = toolGroups();

  private static Map<String, String> toolGroups() {
    Map<String, String> groups = new LinkedHashMap<>();
    groups.put("group:web", "Web: search and fetch pages");
    groups.put("group:runtime", "Run commands and code");
    groups.put("group:fs", "Read and write files");
    groups.put("group:messaging", "Send messages");
    groups.put("group:automation", "Schedules and automations");
    groups.put("group:ui", "Browser and screen");
    groups.put("group:media", "Images, audio and video");
    return java.util.Collections.unmodifiableMap(groups);
  }

  /** One switch: {@code denied} when the group is among the denied tools. */
  record ToolGroup(String group, String label, boolean denied) {}

  /** A model the tenant may pick, with what it costs. */
  record ModelChoice(String id, String label) {}

  /** A persona file on the form: its text, and the saved text rendered. */
  record PersonaFile(String name, String field, String text, String preview) {}

  /** One version in the history, with its persona files' diffs against the version before. */
  record VersionLine(int version, String when, String by, String changed, boolean current,
      List<FileDiff> diffs) {}

  record FileDiff(String file, List<PersonaText.DiffLine> lines) {}

  @GetMapping
  String page(@PathVariable TenantId tenantId, @PathVariable UUID agentId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    navigation.tenantPage(model, tenantId, "agents");
    model.addAttribute("agent", AgentView.of(agents.get(tenantId, agentId), clock.instant()));
    AgentConfigs.Version current = configs.current(tenantId, agentId);
    AgentConfig config = current.config();
    model.addAttribute("version", current.version());
    model.addAttribute("config", config);
    model.addAttribute("canManage", navigation.allows(tenantId, TenantPermission.AGENTS_MANAGE));
    model.addAttribute("models", choices(tenantId));
    model.addAttribute("profiles", AgentConfig.TOOL_PROFILES);
    model.addAttribute("toolGroups", TOOL_GROUPS.entrySet().stream().map(g -> new ToolGroup(g.getKey(), g.getValue(),
        config.toolsDeny().contains(g.getKey()))).toList());
    model.addAttribute("otherDenied", config.toolsDeny().stream().filter(t -> !TOOL_GROUPS.containsKey(t)).toList());
    List<PersonaFile> persona = new ArrayList<>();
    for (String file : AgentConfig.PERSONA_FILES) {
      String text = config.persona().getOrDefault(file, "");
      persona.add(new PersonaFile(file, "persona-" + file.replace(".md", "").toLowerCase(), text,
          text.isEmpty() ? "" : PersonaText.preview(text)));
    }
    model.addAttribute("persona", persona);
    model.addAttribute("history", history(tenantId, agentId, current.version()));
    return "agent-settings";
  }

  @PostMapping
  String save(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(required = false) String model, @RequestParam Map<String, String> form,
      @RequestParam(name = "denyGroup", required = false) List<String> denyGroups, RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    Map<String, String> persona = new LinkedHashMap<>();
    for (String file : AgentConfig.PERSONA_FILES) {
      String text = form.get("persona-" + file.replace(".md", "").toLowerCase());
      if (text != null) {
        persona.put(file, text.replace("\r\n", "\n"));
      }
    }
    List<String> clear = new ArrayList<>();
    String profile = blankToNull(form.get("toolProfile"));
    String every = blankToNull(form.get("heartbeatEvery"));
    String heartbeatModel = blankToNull(form.get("heartbeatModel"));
    String chosen = blankToNull(model);
    if (chosen == null) {
      clear.add("model");
    }
    if (profile == null) {
      clear.add("toolProfile");
    }
    if (every == null) {
      clear.add("heartbeatEvery");
    }
    if (heartbeatModel == null) {
      clear.add("heartbeatModel");
    }
    List<String> deny = new ArrayList<>();
    if (denyGroups != null) {
      denyGroups.stream().filter(TOOL_GROUPS::containsKey).forEach(deny::add);
    }
    tools(form.get("toolsDeny")).stream().filter(t -> !deny.contains(t)).forEach(deny::add);
    AgentConfigs.Change change = new AgentConfigs.Change(chosen, persona, profile, tools(form.get("toolsAllow")),
        deny, every, heartbeatModel, clear);
    try {
      AgentConfigs.Version saved = configs.change(tenantId, agentId, change, caller.actor());
      flash.addFlashAttribute("notice", switch (saved.applies()) {
        case "none" -> "Nothing changed.";
        case "restart" -> "Saved as version " + saved.version() + ". The agent is restarting to apply it.";
        default -> "Saved as version " + saved.version() + ". It applies when the agent next starts.";
      });
    } catch (ProblemException e) {
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), LABELS).replace("persona.", "Persona "));
    }
    return "redirect:/t/" + tenantId + "/agents/" + agentId + "/settings";
  }

  @PostMapping("/versions/{version}/rollback")
  String rollback(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable int version,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    try {
      AgentConfigs.Version saved = configs.rollback(tenantId, agentId, version, caller.actor());
      flash.addFlashAttribute("notice", saved.applies().equals("none") ? "Version " + version
          + " is what the agent has already." : "Back to version " + version + "'s settings, as version "
          + saved.version() + (saved.applies().equals("restart") ? ". The agent is restarting to apply them." : "."));
    } catch (ProblemException e) {
      if (e.type() == dev.reef.common.ProblemType.NOT_FOUND) {
        throw e;
      }
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), LABELS));
    }
    return "redirect:/t/" + tenantId + "/agents/" + agentId + "/settings";
  }

  private List<ModelChoice> choices(TenantId tenantId) {
    List<String> allowed = catalog.modelsFor(limits.explain(tenantId).planId());
    Map<String, CatalogAdministration.ModelInfo> info = new LinkedHashMap<>();
    prices.models().forEach(m -> info.put(m.id(), m));
    return allowed.stream().map(id -> {
      CatalogAdministration.ModelInfo m = info.get(id);
      return new ModelChoice(id, m == null ? id : id + " — $" + m.inputUsdPerMTok().stripTrailingZeros()
          .toPlainString() + " in / $" + m.outputUsdPerMTok().stripTrailingZeros().toPlainString()
          + " out per million tokens");
    }).toList();
  }

  private List<VersionLine> history(TenantId tenantId, UUID agentId, int current) {
    List<AgentConfigs.Version> versions = configs.history(tenantId, agentId, 30);
    List<VersionLine> lines = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      AgentConfigs.Version v = versions.get(i);
      Map<String, String> before = i + 1 < versions.size() ? versions.get(i + 1).config().persona() : Map.of();
      List<FileDiff> diffs = new ArrayList<>();
      if (v.changed().contains("persona")) {
        for (String file : AgentConfig.PERSONA_FILES) {
          List<PersonaText.DiffLine> diff = PersonaText.diff(file, before.getOrDefault(file, ""),
              v.config().persona().getOrDefault(file, ""));
          if (!diff.isEmpty()) {
            diffs.add(new FileDiff(file, diff));
          }
        }
      }
      lines.add(new VersionLine(v.version(), WHEN.format(v.at()), v.by(), String.join(", ", v.changed()),
          v.version() == current, diffs));
    }
    return lines;
  }

  private static List<String> tools(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    return Arrays.stream(text.split("[,\\s]+")).filter(t -> !t.isBlank()).toList();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
