package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.Actor;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.gateway.LlmCatalog;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.Agents;
import dev.reef.tenancy.EffectiveLimits;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A tenant's agents: the cards with live status, deploying one (with its progress), start, stop, restart, delete,
 * and the log that follows. Each handler starts with the same guard and permission as the matching API endpoint.
 */
@Controller
@RequestMapping("/t/{tenantId}")
class AgentPages {

  static final String PREFERRED_RUNTIME = "openclaw";
  private static final long FOLLOW_TIMEOUT_MILLIS = Duration.ofHours(1).toMillis();
  private static final int LOG_TAIL = 300;

  private final AccessGuard guard;
  private final Navigation navigation;
  private final Agents agents;
  private final ObjectProvider<AgentRuntime> runtimes;
  private final LlmCatalog catalog;
  private final EffectiveLimits limits;
  private final Clock clock;

  AgentPages(AccessGuard guard, Navigation navigation, Agents agents, ObjectProvider<AgentRuntime> runtimes,
      LlmCatalog catalog, EffectiveLimits limits, Clock clock) {
    this.guard = guard;
    this.navigation = navigation;
    this.agents = agents;
    this.runtimes = runtimes;
    this.catalog = catalog;
    this.limits = limits;
    this.clock = clock;
  }

  /** The tenant's home: its agents, or (none yet) the way to deploy the first. */
  @GetMapping
  String home(@PathVariable TenantId tenantId, @RequestParam(required = false) String welcome, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    navigation.tenantPage(model, tenantId, "agents");
    List<AgentView> list = agents.list(tenantId).stream().map(a -> AgentView.of(a, clock.instant())).toList();
    model.addAttribute("agents", list);
    model.addAttribute("welcome", welcome != null);
    model.addAttribute("canManage", navigation.allows(tenantId, TenantPermission.AGENTS_MANAGE));
    deployForm(tenantId, list, model);
    return "agents";
  }

  @PostMapping("/agents")
  String deploy(@PathVariable TenantId tenantId, @RequestParam String name, @RequestParam String runtime,
      @RequestParam(required = false) String model, RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    AtomicReference<Agent> created = new AtomicReference<>();
    String home = "/t/" + tenantId;
    String outcome = FormOutcome.run(flash, home, null, () -> created.set(agents.create(tenantId, name.trim(),
        runtime, model == null || model.isBlank() ? null : model, true, caller.actor())));
    return created.get() == null ? outcome : "redirect:" + home + "/agents/" + created.get().id();
  }

  @GetMapping("/agents/{agentId}")
  String agent(@PathVariable TenantId tenantId, @PathVariable UUID agentId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    navigation.tenantPage(model, tenantId, "agents");
    model.addAttribute("agent", AgentView.of(agents.get(tenantId, agentId), clock.instant()));
    model.addAttribute("events", agents.events(tenantId, agentId, 20).stream()
        .map(e -> new EventLine(AgentView.time(e.at()), e.state(), e.reason())).toList());
    model.addAttribute("canManage", navigation.allows(tenantId, TenantPermission.AGENTS_MANAGE));
    return "agent";
  }

  public record EventLine(String at, String state, String reason) {}

  /**
   * The live part of a card or an agent's page, polled every two seconds. {@code seen} is the version the page
   * shows: when nothing changed the answer is 204 and the page is left alone (no flicker, nothing re-announced).
   */
  @GetMapping("/agents/{agentId}/status")
  Object status(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(required = false) String seen, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    AgentView view = AgentView.of(agents.get(tenantId, agentId), clock.instant());
    if (view.version().equals(seen)) {
      return ResponseEntity.noContent().build();
    }
    model.addAttribute("a", view);
    return "fragments/agent-status :: status";
  }

  @PostMapping("/agents/{agentId}/start")
  String start(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @RequestParam(required = false) String back,
      RedirectAttributes flash) {
    return act(tenantId, agentId, back, flash, "Starting the agent.", agents::start);
  }

  @PostMapping("/agents/{agentId}/stop")
  String stop(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @RequestParam(required = false) String back,
      RedirectAttributes flash) {
    return act(tenantId, agentId, back, flash, "Stopping the agent.", agents::stop);
  }

  @PostMapping("/agents/{agentId}/restart")
  String restart(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(required = false) String back, RedirectAttributes flash) {
    return act(tenantId, agentId, back, flash, "Restarting the agent.", agents::restart);
  }

  /** One of the lifecycle operations of {@link Agents}, which all take the tenant, the agent and who asked. */
  interface Lifecycle {
    Agent apply(TenantId tenantId, UUID agentId, Actor actor);
  }

  private String act(TenantId tenantId, UUID agentId, String back, RedirectAttributes flash, String done,
      Lifecycle operation) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return FormOutcome.run(flash, back(tenantId, agentId, back), done,
        () -> operation.apply(tenantId, agentId, caller.actor()));
  }

  /** Deleting asks first, on a page of its own (works without JavaScript, and with the keyboard). */
  @GetMapping("/agents/{agentId}/delete")
  String confirmDelete(@PathVariable TenantId tenantId, @PathVariable UUID agentId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    navigation.tenantPage(model, tenantId, "agents");
    model.addAttribute("agent", AgentView.of(agents.get(tenantId, agentId), clock.instant()));
    return "agent-delete";
  }

  @PostMapping("/agents/{agentId}/delete")
  String delete(@PathVariable TenantId tenantId, @PathVariable UUID agentId, RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    String name = agents.get(tenantId, agentId).name();
    return FormOutcome.run(flash, "/t/" + tenantId, "Deleted " + name + ".",
        () -> agents.delete(tenantId, agentId, caller.actor()));
  }

  /**
   * The agent's log as server-sent events: {@code reset}, the last lines, then each new line as it is written. Before
   * the agent has been placed there is nothing to follow: a {@code notice} says so and the stream ends, and the
   * browser's EventSource reconnects a few seconds later.
   */
  @GetMapping(path = "/agents/{agentId}/logs", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter logs(@PathVariable TenantId tenantId, @PathVariable UUID agentId) throws IOException {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    List<String> recent = agents.logTail(tenantId, agentId, LOG_TAIL);
    SseEmitter emitter = new SseEmitter(FOLLOW_TIMEOUT_MILLIS);
    emitter.send(SseEmitter.event().reconnectTime(4000).name("reset").data(""));
    for (String line : recent) {
      emitter.send(SseEmitter.event().name("log").data(line));
    }
    ServerEvents.OnClose onClose = new ServerEvents.OnClose(emitter);
    try {
      onClose.hold(agents.followLogs(tenantId, agentId, line -> {
        if (!ServerEvents.send(emitter, "log", line)) {
          onClose.run();
        }
      }));
    } catch (ProblemException e) {
      // not placed yet: while it is being installed, the lines above are the install's
      emitter.send(SseEmitter.event().name("notice").data(recent.isEmpty() ? e.detail()
          : "Its own log starts once it runs; until then, the install's progress."));
      emitter.complete();
    }
    return emitter;
  }

  private void deployForm(TenantId tenantId, List<AgentView> existing, Model model) {
    List<String> names = runtimes.orderedStream().map(AgentRuntime::name).sorted().toList();
    model.addAttribute("runtimes", names);
    model.addAttribute("defaultRuntime", names.contains(PREFERRED_RUNTIME) ? PREFERRED_RUNTIME
        : names.isEmpty() ? "" : names.getFirst());
    model.addAttribute("models", catalog.modelsFor(limits.explain(tenantId).planId()));
    Set<String> taken = existing.stream().map(AgentView::name).collect(Collectors.toSet());
    String suggestion = "assistant";
    for (int n = 2; taken.contains(suggestion); n++) {
      suggestion = "assistant-" + n;
    }
    model.addAttribute("suggestedName", suggestion);
    Long max = limits.of(tenantId).maxAgents();
    model.addAttribute("maxAgents", max);
    model.addAttribute("atLimit", max != null && existing.size() >= max);
  }

  /** Where an agent action returns to: its page, or the tenant's home (never a URL taken from the request). */
  private static String back(TenantId tenantId, UUID agentId, String back) {
    return "home".equals(back) ? "/t/" + tenantId : "/t/" + tenantId + "/agents/" + agentId;
  }
}
