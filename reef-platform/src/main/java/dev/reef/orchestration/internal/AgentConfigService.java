package dev.reef.orchestration.internal;

import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentAuditEvents;
import dev.reef.orchestration.AgentConfig;
import dev.reef.orchestration.AgentConfigs;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.orchestration.DesiredState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks and versions agents' configuration. A change is checked whole before anything is stored (a refused one
 * leaves the last good configuration in force), stored as the next version with the fields it changed, audited,
 * and applied: a running agent is restarted (OpenClaw reads its configuration and persona files when it starts;
 * a restart is also what applies a new model), a stopped one gets it at its next start.
 */
@Service
final class AgentConfigService implements AgentConfigs {

  static final List<String> FIELDS = List.of("model", "persona", "toolProfile", "toolsAllow", "toolsDeny",
      "heartbeatEvery", "heartbeatModel");
  private static final Pattern TOOL = Pattern.compile("[A-Za-z0-9_.:*-]{1,64}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m|h)");
  private static final int MAX_TOOLS = 100;
  /** A heartbeat is a full agent turn, billed: more often than this is a mistake, not a setting. */
  private static final long MIN_HEARTBEAT_SECONDS = 300;

  private final AgentRepository agents;
  private final AgentConfigRepository configs;
  private final AgentConfigReader reader;
  private final AgentModels models;
  private final Agents lifecycle;
  private final OrchestrationProperties properties;
  private final ApplicationEventPublisher events;
  private final TransactionTemplate tx;
  private final Clock clock;

  AgentConfigService(AgentRepository agents, AgentConfigRepository configs, AgentConfigReader reader,
      AgentModels models, Agents lifecycle, OrchestrationProperties properties, ApplicationEventPublisher events,
      TransactionTemplate tx, Clock clock) {
    this.agents = agents;
    this.configs = configs;
    this.reader = reader;
    this.models = models;
    this.lifecycle = lifecycle;
    this.properties = properties;
    this.events = events;
    this.tx = tx;
    this.clock = clock;
  }

  @Override
  public Version current(TenantId tenantId, UUID agentId) {
    AgentRow row = row(tenantId, agentId);
    return inTenant(tenantId, () -> reader.latest(row)
        .map(c -> {
          Version v = version(c, "none");
          return new Version(v.version(), AgentConfigReader.withModel(v.config(), row.model()), v.at(), v.by(),
              v.changed(), v.applies());
        })
        .orElseGet(() -> new Version(0, AgentConfigReader.defaults(row), row.createdAt(), "reef", List.of(),
            "none")));
  }

  @Override
  public Version change(TenantId tenantId, UUID agentId, Change change, Actor actor) {
    AgentConfig base = current(tenantId, agentId).config();
    return store(tenantId, agentId, merge(tenantId, base, change), actor);
  }

  @Override
  public List<Version> history(TenantId tenantId, UUID agentId, int limit) {
    row(tenantId, agentId);
    return inTenant(tenantId, () -> configs.list(tenantId, agentId, limit).stream().map(c -> version(c, ""))
        .toList());
  }

  @Override
  public Version rollback(TenantId tenantId, UUID agentId, int version, Actor actor) {
    AgentRow row = row(tenantId, agentId);
    AgentConfig target = version == 0 ? AgentConfigReader.defaults(row) : inTenant(tenantId,
        () -> configs.find(tenantId, agentId, version)).map(c -> parse(c.config()))
        .orElseThrow(() -> new NotFoundException("configuration version", Integer.toString(version)));
    // checked again: the plan may no longer allow that version's models, or the limits have changed
    AgentConfig checked = merge(tenantId, AgentConfig.DEFAULTS, new Change(target.model(), target.persona(),
        target.toolProfile(), target.toolsAllow(), target.toolsDeny(), target.heartbeatEvery(),
        target.heartbeatModel(), List.of()));
    return store(tenantId, agentId, checked, actor);
  }

  /** A deleted agent's configuration goes with it, in the transaction that deletes it. */
  @EventListener
  void on(AgentAuditEvents.AgentChanged changed) {
    if (changed.change().equals("deleted")) {
      inTenant(changed.tenant(), () -> {
        configs.deleteAll(changed.tenant(), changed.agentId());
        return null;
      });
    }
  }

  private Version store(TenantId tenantId, UUID agentId, AgentConfig next, Actor actor) {
    AgentRow row = row(tenantId, agentId);
    Version now = current(tenantId, agentId);
    List<String> changed = differences(now.config(), next);
    if (changed.isEmpty()) {
      return new Version(now.version(), now.config(), now.at(), now.by(), List.of(), "none");
    }
    Version stored = inTenant(tenantId, () -> {
      AgentConfigRepository.ConfigRow saved = new AgentConfigRepository.ConfigRow(now.version() + 1,
          reader.write(next), String.join(",", changed), who(actor), clock.instant());
      configs.insert(tenantId, agentId, saved);
      if (changed.contains("model")) {
        agents.setModel(tenantId, agentId, next.model(), clock.instant());
      }
      events.publishEvent(new AgentAuditEvents.AgentChanged(tenantId, actor, agentId, row.name(),
          "config_changed"));
      return version(saved, "");
    });
    boolean running = row.desired() == DesiredState.RUNNING && !(row.state() instanceof AgentState.Stopped)
        && !(row.state() instanceof AgentState.Failed);
    if (running) {
      lifecycle.restart(tenantId, agentId, actor);
    }
    return new Version(stored.version(), stored.config(), stored.at(), stored.by(), stored.changed(),
        running ? "restart" : "next-start");
  }

  /** The change applied to {@code base}, every field checked; the first bad one is refused, naming it. */
  private AgentConfig merge(TenantId tenantId, AgentConfig base, Change change) {
    List<String> clear = change.clear() == null ? List.of() : change.clear();
    for (String field : clear) {
      if (!FIELDS.contains(field)) {
        throw new InvalidRequestException("clear", "'" + field + "' is not a setting; one of " + FIELDS);
      }
    }
    String model = clear.contains("model") ? null : change.model() != null
        ? models.check(tenantId, change.model()) : base.model();
    Map<String, String> persona = new TreeMap<>(clear.contains("persona") ? Map.of() : base.persona());
    if (change.persona() != null) {
      change.persona().forEach((name, text) -> {
        if (!AgentConfig.PERSONA_FILES.contains(name)) {
          throw new InvalidRequestException("persona", "'" + name + "' is not a persona file; one of "
              + AgentConfig.PERSONA_FILES);
        }
        if (text == null || text.isEmpty()) {
          persona.remove(name);
          return;
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > properties.personaMaxBytes()) {
          throw new InvalidRequestException("persona." + name, "is " + bytes + " bytes; at most "
              + properties.personaMaxBytes() + " (REEF_AGENT_PERSONA_MAX_BYTES)");
        }
        persona.put(name, text);
      });
    }
    String profile = clear.contains("toolProfile") ? null : change.toolProfile() != null
        ? checkProfile(change.toolProfile()) : base.toolProfile();
    List<String> allow = clear.contains("toolsAllow") ? List.of() : change.toolsAllow() != null
        ? checkTools("toolsAllow", change.toolsAllow()) : base.toolsAllow();
    List<String> deny = clear.contains("toolsDeny") ? List.of() : change.toolsDeny() != null
        ? checkTools("toolsDeny", change.toolsDeny()) : base.toolsDeny();
    String every = clear.contains("heartbeatEvery") ? null : change.heartbeatEvery() != null
        ? checkEvery(change.heartbeatEvery()) : base.heartbeatEvery();
    String heartbeatModel = clear.contains("heartbeatModel") ? null : change.heartbeatModel() != null
        ? checkHeartbeatModel(tenantId, change.heartbeatModel()) : base.heartbeatModel();
    return new AgentConfig(model, persona, profile, allow, deny, every, heartbeatModel);
  }

  private String checkHeartbeatModel(TenantId tenantId, String model) {
    try {
      return models.check(tenantId, model);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("heartbeatModel", "'" + model + "' is not a model your plan allows; "
          + "choose one of " + models.allowed(tenantId));
    }
  }

  private static String checkProfile(String profile) {
    if (!AgentConfig.TOOL_PROFILES.contains(profile)) {
      throw new InvalidRequestException("toolProfile", "must be one of " + AgentConfig.TOOL_PROFILES);
    }
    return profile;
  }

  private static List<String> checkTools(String field, List<String> tools) {
    if (tools.size() > MAX_TOOLS) {
      throw new InvalidRequestException(field, "at most " + MAX_TOOLS + " entries");
    }
    for (String tool : tools) {
      if (tool == null || !TOOL.matcher(tool).matches()) {
        throw new InvalidRequestException(field, "'" + tool + "' is not a tool or tool group name (e.g. "
            + "web_fetch, group:web)");
      }
    }
    return tools.stream().distinct().toList();
  }

  private static String checkEvery(String every) {
    var m = DURATION.matcher(every.strip());
    if (!m.matches()) {
      throw new InvalidRequestException("heartbeatEvery", "must be a duration like 30m, 2h or 0m (none)");
    }
    long amount = Long.parseLong(m.group(1));
    long seconds = switch (m.group(2)) {
      case "ms" -> amount / 1000;
      case "s" -> amount;
      case "m" -> amount * 60;
      default -> amount * 3600;
    };
    if (amount != 0 && seconds < MIN_HEARTBEAT_SECONDS) {
      throw new InvalidRequestException("heartbeatEvery", "at least 5m (each heartbeat is a billed agent turn), "
          + "or 0m for none");
    }
    return amount == 0 ? null : every.strip();
  }

  /** Who made a version, as its history shows it: a person's email, or which key. */
  static String who(Actor actor) {
    return switch (actor.kind()) {
      case "api_key" -> "API key '" + actor.display() + "'";
      case "operator_key" -> "operator key '" + actor.display() + "'";
      default -> actor.display();
    };
  }

  static List<String> differences(AgentConfig a, AgentConfig b) {
    List<String> changed = new ArrayList<>();
    if (!Objects.equals(a.model(), b.model())) {
      changed.add("model");
    }
    if (!a.persona().equals(b.persona())) {
      changed.add("persona");
    }
    if (!Objects.equals(a.toolProfile(), b.toolProfile())) {
      changed.add("toolProfile");
    }
    if (!a.toolsAllow().equals(b.toolsAllow())) {
      changed.add("toolsAllow");
    }
    if (!a.toolsDeny().equals(b.toolsDeny())) {
      changed.add("toolsDeny");
    }
    if (!Objects.equals(a.heartbeatEvery(), b.heartbeatEvery())) {
      changed.add("heartbeatEvery");
    }
    if (!Objects.equals(a.heartbeatModel(), b.heartbeatModel())) {
      changed.add("heartbeatModel");
    }
    return changed;
  }

  private Version version(AgentConfigRepository.ConfigRow c, String applies) {
    return new Version(c.version(), parse(c.config()), c.createdAt(), c.createdBy(),
        c.changed().isEmpty() ? List.of() : Arrays.asList(c.changed().split(",")), applies);
  }

  private AgentConfig parse(String text) {
    return reader.parse(text);
  }

  private AgentRow row(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> agents.findLive(tenantId, agentId))
        .orElseThrow(() -> new NotFoundException("agent", agentId.toString()));
  }

  private <T> T inTenant(TenantId tenantId, Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }
}
