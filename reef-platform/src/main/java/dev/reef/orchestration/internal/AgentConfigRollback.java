package dev.reef.orchestration.internal;

import dev.reef.common.Actor;
import dev.reef.orchestration.AgentAuditEvents;
import dev.reef.orchestration.AgentConfig;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Keeps a bad configuration from keeping an agent down: each start records the configuration version it uses, a
 * ready agent marks it good, and a start that fails on a version newer than the last good one puts that good
 * version's settings back (as a new version, by Reef), so the next attempt starts with them. The crash's reason in
 * the agent's events says so. Call within the agent's tenant scope and transaction.
 */
@Component
final class AgentConfigRollback {

  static final String BY = "reef (rolled back after a failed start)";

  private final AgentRepository agents;
  private final AgentConfigRepository configs;
  private final AgentConfigReader reader;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  AgentConfigRollback(AgentRepository agents, AgentConfigRepository configs, AgentConfigReader reader,
      ApplicationEventPublisher events, Clock clock) {
    this.agents = agents;
    this.configs = configs;
    this.reader = reader;
    this.events = events;
    this.clock = clock;
  }

  /** The configuration for a start, the version it is noted as using. */
  AgentConfig forStart(AgentRow row) {
    int version = reader.latest(row).map(AgentConfigRepository.ConfigRow::version).orElse(0);
    agents.setConfigStarted(row.tenantId(), row.id(), version);
    return reader.forStart(row);
  }

  void ready(AgentRow row) {
    agents.markConfigGood(row.tenantId(), row.id());
  }

  /**
   * After a start failed: when it used a version newer than the last good one, that one's settings are made current
   * again; returns a sentence for the agent's events, or empty when the configuration was not to blame.
   */
  Optional<String> afterFailedStart(AgentRow row) {
    AgentRepository.ConfigVersions versions = agents.configVersions(row.tenantId(), row.id());
    Integer started = versions.started();
    int good = versions.good() == null ? 0 : versions.good();
    if (started == null || started <= good) {
      return Optional.empty();
    }
    Optional<AgentConfigRepository.ConfigRow> latest = reader.latest(row);
    if (latest.isEmpty() || latest.get().version() != started) {
      return Optional.empty(); // someone changed it since the start: theirs is what the next start tries
    }
    AgentConfig bad = reader.parse(latest.get().config());
    AgentConfig back = good == 0 ? AgentConfigReader.defaults(row) : configs.find(row.tenantId(), row.id(), good)
        .map(c -> reader.parse(c.config())).orElse(AgentConfigReader.defaults(row));
    List<String> changed = AgentConfigService.differences(bad, back);
    int next = started + 1;
    configs.insert(row.tenantId(), row.id(), new AgentConfigRepository.ConfigRow(next, reader.write(back),
        String.join(",", changed), BY, clock.instant()));
    if (changed.contains("model")) {
      agents.setModel(row.tenantId(), row.id(), back.model(), clock.instant());
    }
    events.publishEvent(new AgentAuditEvents.AgentChanged(row.tenantId(), Actor.system(), row.id(), row.name(),
        "config_rolled_back"));
    return Optional.of("configuration version " + started + " did not start; its settings were rolled back to "
        + "version " + good + "'s (now version " + next + ")");
  }
}
