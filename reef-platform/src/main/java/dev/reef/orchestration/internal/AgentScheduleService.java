package dev.reef.orchestration.internal;

import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentAuditEvents;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.AgentSchedules;
import dev.reef.orchestration.AgentSockets;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.ScheduledRun;
import dev.reef.orchestration.internal.AgentDecisions.Action;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sleeping agents that keep their schedules. Reef asks a running agent what it has scheduled (every
 * {@code REEF_SCHEDULE_REFRESH}, and right before the idle timer would stop it), keeps the answer, and wakes the
 * agent {@code REEF_SCHEDULE_WAKE_LEAD} before its next run; the idle timer then puts it back to sleep as usual.
 * An agent whose next run is within {@code REEF_SCHEDULE_KEEP_AWAKE_WITHIN} is not put to sleep at all.
 *
 * <p>What an agent says it has scheduled is the agent's word, and the agent may be hostile: it can keep itself awake
 * for at most {@code REEF_SCHEDULE_MAX_KEEP_AWAKE} past its idle limit without doing anything, and is woken at most
 * once per {@code REEF_SCHEDULE_MIN_WAKE_GAP}.
 */
@Service
@EnableConfigurationProperties(ScheduleProperties.class)
class AgentScheduleService implements AgentSchedules {

  private static final Logger log = LoggerFactory.getLogger(AgentScheduleService.class);
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private final AgentScheduleRepository schedules;
  private final AgentRepository agents;
  private final Runtimes runtimes;
  private final SecretStore secrets;
  private final AgentSockets sockets;
  private final ObjectProvider<Agents> agentService;
  private final ScheduleProperties properties;
  private final TransactionTemplate tx;
  private final JsonMapper json;
  private final Clock clock;
  /** When this replica last asked (or saw asked) each running agent. */
  private final java.util.Map<UUID, Instant> lastAsked = new java.util.concurrent.ConcurrentHashMap<>();

  AgentScheduleService(AgentScheduleRepository schedules, AgentRepository agents, Runtimes runtimes,
      SecretStore secrets, AgentSockets sockets, ObjectProvider<Agents> agentService, ScheduleProperties properties,
      TransactionTemplate tx, JsonMapper json, Clock clock) {
    this.schedules = schedules;
    this.agents = agents;
    this.runtimes = runtimes;
    this.secrets = secrets;
    this.sockets = sockets;
    this.agentService = agentService;
    this.properties = properties;
    this.tx = tx;
    this.json = json;
    this.clock = clock;
  }

  @Override
  public Schedule schedule(TenantId tenantId, UUID agentId) {
    AgentRow row = inTenant(tenantId, () -> agents.findLive(tenantId, agentId))
        .orElseThrow(() -> new NotFoundException("agent", agentId.toString()));
    if (row.state() instanceof AgentState.Running) {
      Optional<List<ScheduledRun>> asked = ask(row);
      if (asked.isPresent()) {
        Instant now = clock.instant();
        return new Schedule(asked.get(), store(row, asked.get(), now), now, true);
      }
    }
    return stored(tenantId, agentId);
  }

  /** What the agent said last, without asking it. */
  Schedule stored(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> schedules.find(tenantId, agentId))
        .map(s -> new Schedule(s.runs().stream().filter(r -> !r.at().isBefore(clock.instant().minusSeconds(60)))
            .toList(), s.nextWakeAt(), s.checkedAt(), false))
        .orElse(Schedule.NONE);
  }

  /**
   * Called by the reconciler for a running agent it has looked at (holding its lease), with what it decided:
   * refreshes a stale schedule, and before an idle stop asks once more, keeping the agent awake when a run is near.
   * Returns the action to carry out.
   *
   * @param idleStopMinutes the tenant's idle limit (null: none)
   */
  Action review(AgentRow row, Action decided, Long idleStopMinutes) {
    boolean idleStop = decided instanceof Action.Stop stop && stop.idle();
    Instant askedHere = lastAsked.get(row.id());
    if (!idleStop && askedHere != null && askedHere.plus(properties.refresh()).isAfter(clock.instant())) {
      return decided; // asked lately (by this replica): no database read at every tick
    }
    Optional<AgentScheduleRepository.Stored> known = inTenant(row.tenantId(),
        () -> schedules.find(row.tenantId(), row.id()));
    Instant now = clock.instant();
    boolean stale = known.map(s -> s.checkedAt().plus(properties.refresh()).isBefore(now)).orElse(true);
    // not more than once a minute right before sleeping: a decision to stop comes at every tick until carried out
    boolean askBeforeSleep = idleStop && known.map(s -> s.checkedAt().plusSeconds(60).isBefore(now)).orElse(true);
    Instant nextWake = known.map(AgentScheduleRepository.Stored::nextWakeAt).orElse(null);
    if (stale || askBeforeSleep) {
      Optional<List<ScheduledRun>> asked = ask(row);
      lastAsked.put(row.id(), now);
      if (asked.isPresent()) {
        nextWake = store(row, asked.get(), now);
      }
    } else {
      lastAsked.put(row.id(), known.get().checkedAt());
    }
    if (idleStop && nextWake != null && !nextWake.isAfter(now.plus(properties.keepAwakeWithin()))
        && !nextWake.isBefore(now.minus(properties.keepAwakeWithin()))) {
      Instant lastActivity = row.lastActivityAt() != null ? row.lastActivityAt() : row.startedAt();
      Duration idleFor = lastActivity == null ? Duration.ZERO : Duration.between(lastActivity, now);
      Duration idleLimit = Duration.ofMinutes(idleStopMinutes == null ? 0 : idleStopMinutes);
      if (idleFor.compareTo(idleLimit.plus(properties.maxKeepAwake())) < 0) {
        return AgentDecisions.NOTHING; // its run is near: it stays up for it
      }
    }
    return decided;
  }

  /** Wakes sleeping agents shortly before their next scheduled run (once per run, any replica). */
  @Scheduled(initialDelayString = "${reef.schedules.tick:15s}", fixedDelayString = "${reef.schedules.tick:15s}")
  void wakeDue() {
    try {
      Instant now = clock.instant();
      for (AgentScheduleRepository.Stored due : platform(() ->
          schedules.dueAcrossTenants(now.plus(properties.wakeLead())))) {
        boolean claimed = inTenant(due.tenantId(), () -> schedules.claimWake(due.tenantId(), due.agentId(),
            due.nextWakeAt(), now, now.minus(properties.minWakeGap())));
        if (!claimed) {
          continue;
        }
        String name = due.runs().stream().filter(r -> r.at().equals(due.nextWakeAt()) && r.wakesAgent())
            .map(ScheduledRun::name).findFirst().orElse("a scheduled run");
        agentService.getObject().wake(due.tenantId(), due.agentId(), "its scheduled run '" + name + "' is due at "
            + HH_MM.format(due.nextWakeAt()));
      }
    } catch (RuntimeException e) {
      log.warn("waking agents for their schedules failed: {}", e.toString());
    }
  }

  /** A deleted agent's schedule goes with it. */
  @EventListener
  void on(AgentAuditEvents.AgentChanged changed) {
    if (changed.change().equals("deleted")) {
      lastAsked.remove(changed.agentId());
      inTenant(changed.tenant(), () -> {
        schedules.delete(changed.tenant(), changed.agentId());
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Optional<List<ScheduledRun>> ask(AgentRow row) {
    if (row.placementJson() == null || row.gatewayTokenSecret() == null) {
      return Optional.empty();
    }
    Optional<AgentRuntime> runtime = runtimes.find(row.runtime());
    if (runtime.isEmpty()) {
      return Optional.empty();
    }
    try {
      Placement placement = json.readValue(row.placementJson(), Placement.class);
      String token = inTenant(row.tenantId(), () -> secrets.reveal(new SecretRef(row.gatewayTokenSecret())));
      return Optional.of(runtime.get().upcomingRuns(placement, token, sockets, properties.askTimeout()));
    } catch (IOException | RuntimeException e) {
      log.debug("could not ask agent {} for its schedule: {}", row.id(), e.toString());
      return Optional.empty();
    }
  }

  /** Keeps what the agent said; answers the soonest run that wakes it. */
  private Instant store(AgentRow row, List<ScheduledRun> runs, Instant now) {
    Instant nextWake = runs.stream().filter(ScheduledRun::wakesAgent).map(ScheduledRun::at)
        .filter(at -> !at.isBefore(now.minus(properties.wakeLead()))).min(Instant::compareTo).orElse(null);
    inTenant(row.tenantId(), () -> {
      schedules.save(row.tenantId(), row.id(), runs, nextWake, now);
      return null;
    });
    return nextWake;
  }

  private <T> T inTenant(TenantId tenantId, Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }

  private <T> T platform(Supplier<T> work) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> work.get()));
  }
}
