package dev.reef.orchestration.internal;

import dev.reef.common.Actor;
import dev.reef.common.ConflictException;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentAuditEvents;
import dev.reef.orchestration.AgentEvent;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.tenancy.EffectiveLimits;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

@Service
final class AgentService implements Agents {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentService.class);
  private final AgentScheduleService schedules;

  static final Pattern NAME = Pattern.compile("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$");

  /** How soon a waiter sees a change made by another replica, which does not wake it. */
  private static final Duration OTHER_REPLICAS_POLL = Duration.ofMillis(500);

  private final AgentRepository agents;
  private final Replica replica;
  private final StateChanges changes;
  private final AgentReconciler reconciler;
  private final ComputeDriver driver;
  private final Runtimes runtimes;
  private final AgentModels models;
  private final EffectiveLimits limits;
  private final InstallLog installLog;
  private final OrchestrationProperties properties;
  private final ApplicationEventPublisher events;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final AgentChats chats;
  private final RuntimeVersions versions;

  AgentService(AgentRepository agents, AgentReconciler reconciler, ActiveDriver driver, Runtimes runtimes,
      AgentModels models, EffectiveLimits limits, InstallLog installLog,
      OrchestrationProperties properties, ApplicationEventPublisher events, TransactionTemplate tx,
      Replica replica, StateChanges changes, AgentChats chats, RuntimeVersions versions,
      AgentScheduleService schedules, Clock clock) {
    this.schedules = schedules;
    this.chats = chats;
    this.versions = versions;
    this.agents = agents;
    this.changes = changes;
    this.replica = replica;
    this.reconciler = reconciler;
    this.driver = driver.get();
    this.runtimes = runtimes;
    this.models = models;
    this.limits = limits;
    this.installLog = installLog;
    this.properties = properties;
    this.events = events;
    this.tx = tx;
    this.clock = clock;
  }

  /**
   * Refuses a deploy (or a start) that cannot succeed here, with what the operator must do, rather than accepting it
   * and failing the agent a moment later: the machine lacks what the sandbox needs.
   */
  private void refuseWhenAgentsCannotRun() {
    driver.unavailable().ifPresent(why -> {
      throw new ProblemException(ProblemType.SANDBOX_UNAVAILABLE, "Agents cannot be started on this Reef: " + why);
    });
  }

  @Override
  public Agent create(TenantId tenantId, String name, String runtime, String model, boolean start, Actor actor) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException("name",
          "must be 1 to 64 lower-case letters, digits and dashes, starting and ending with a letter or digit");
    }
    AgentRuntime chosen = runtimes.find(runtime).orElseThrow(() -> new InvalidRequestException("runtime",
        "must be one of " + runtimes.names()));
    String checkedModel = models.check(tenantId, model);
    refuseWhenAgentsCannotRun();
    String version = versions.forNewAgent(tenantId, chosen);
    AgentRow created = inTenant(tenantId, () -> {
      Long max = limits.of(tenantId).maxAgents();
      if (max != null && agents.countLive(tenantId) >= max) {
        throw new ProblemException(ProblemType.QUOTA_EXCEEDED, "Your plan allows " + max + " agent"
            + (max == 1 ? "" : "s") + "; delete one or ask your operator for more.")
            .with("limit", "maxAgents").with("value", max);
      }
      if (agents.nameTaken(tenantId, name)) {
        throw new ConflictException("There is already an agent named '" + name + "'.");
      }
      Instant now = clock.instant();
      AgentRow row = new AgentRow(UUID.randomUUID(), tenantId, name, chosen.name(), version,
          checkedModel, start ? DesiredState.RUNNING : DesiredState.STOPPED,
          start ? new AgentState.Pending("waiting to be deployed") : new AgentState.Stopped("created; not started"),
          now, null, null, null, null, 0, null, null, now, null, null);
      agents.insert(tenantId, row, now);
      agents.changeState(tenantId, row.id(), row.state(), replica.id(), now);
      events.publishEvent(new AgentAuditEvents.AgentChanged(tenantId, actor, row.id(), name, "created"));
      return row;
    });
    if (start) {
      reconciler.nudge(created.id(), tenantId);
    }
    return get(tenantId, created.id());
  }

  @Override
  public List<Agent> list(TenantId tenantId) {
    return inTenant(tenantId, () -> agents.listLive(tenantId)).stream().map(this::view).toList();
  }

  @Override
  public Agent get(TenantId tenantId, UUID agentId) {
    return view(row(tenantId, agentId));
  }

  @Override
  public void delete(TenantId tenantId, UUID agentId, Actor actor) {
    AgentRow row = row(tenantId, agentId);
    inTenant(tenantId, () -> {
      agents.markDeleted(tenantId, agentId, clock.instant(), clock.instant());
      events.publishEvent(new AgentAuditEvents.AgentChanged(tenantId, actor, agentId, row.name(), "deleted"));
      return null;
    });
    reconciler.revokeToken(tenantId, agentId);
    reconciler.nudge(agentId, tenantId);
  }

  @Override
  public Agent start(TenantId tenantId, UUID agentId, Actor actor) {
    refuseWhenAgentsCannotRun();
    return desire(tenantId, agentId, DesiredState.RUNNING, actor, "start");
  }

  @Override
  public Agent stop(TenantId tenantId, UUID agentId, Actor actor) {
    // the moment a stop is asked for, not when the reconciler gets to it: its token is what a stop takes away first
    Agent stopping = desire(tenantId, agentId, DesiredState.STOPPED, actor, "stop");
    reconciler.revokeToken(tenantId, agentId);
    return stopping;
  }

  @Override
  public Agent restart(TenantId tenantId, UUID agentId, Actor actor) {
    AgentRow row = row(tenantId, agentId);
    refuseWhenAgentsCannotRun();
    inTenant(tenantId, () -> {
      agents.setDesired(tenantId, agentId, DesiredState.RUNNING, clock.instant());
      events.publishEvent(new AgentAuditEvents.AgentChanged(tenantId, actor, agentId, row.name(), "restart"));
      return null;
    });
    reconciler.restart(agentId, tenantId);
    return get(tenantId, agentId);
  }

  @Override
  public Agent changeModel(TenantId tenantId, UUID agentId, String model, Actor actor) {
    AgentRow row = row(tenantId, agentId);
    String checked = models.check(tenantId, model);
    inTenant(tenantId, () -> {
      agents.setModel(tenantId, agentId, checked, clock.instant());
      events.publishEvent(new AgentAuditEvents.AgentChanged(tenantId, actor, agentId, row.name(), "updated"));
      return null;
    });
    return get(tenantId, agentId);
  }

  @Override
  public List<AgentEvent> events(TenantId tenantId, UUID agentId, int limit) {
    row(tenantId, agentId);
    return inTenant(tenantId, () -> agents.events(tenantId, agentId, limit));
  }

  @Override
  public AutoCloseable followEvents(TenantId tenantId, UUID agentId, long afterSeq, Consumer<AgentEvent> sink) {
    row(tenantId, agentId); // 404 now, before the stream starts
    EventFollower follower = new EventFollower(tenantId, agentId, afterSeq, sink);
    follower.thread = Thread.ofVirtual().name("agent-events-follow").start(follower::run);
    return follower;
  }

  /** Sends each new event of one agent, oldest first, until closed or the agent is gone. */
  private final class EventFollower implements AutoCloseable {
    private final TenantId tenantId;
    private final UUID agentId;
    private final Consumer<AgentEvent> sink;
    private long lastSeq;
    private volatile boolean closed;
    private volatile Thread thread;

    EventFollower(TenantId tenantId, UUID agentId, long afterSeq, Consumer<AgentEvent> sink) {
      this.tenantId = tenantId;
      this.agentId = agentId;
      this.lastSeq = afterSeq;
      this.sink = sink;
    }

    void run() {
      while (!closed) {
        StateChanges.Ticket next = changes.ticket(agentId);
        record Batch(List<AgentEvent> events, boolean deleted) {}
        Batch batch = inTenant(tenantId, () -> new Batch(agents.eventsAfter(tenantId, agentId, lastSeq),
            agents.findLive(tenantId, agentId).isEmpty()));
        for (AgentEvent event : batch.events()) {
          if (closed) {
            return;
          }
          sink.accept(event);
          lastSeq = event.seq();
        }
        if (batch.deleted()) {
          sink.accept(null); // the agent was deleted: the end of its events
          return;
        }
        try {
          next.await(OTHER_REPLICAS_POLL);
        } catch (InterruptedException e) {
          return; // closed
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  @Override
  public List<String> logTail(TenantId tenantId, UUID agentId, int lines) throws IOException {
    AgentRow row = row(tenantId, agentId);
    List<String> out = new ArrayList<>(installLog.lines(agentId));
    Placement placement = reconciler.placement(row);
    if (placement != null) {
      out.addAll(driver.logs(placement).tail(lines));
    }
    return out.size() <= lines ? out : out.subList(out.size() - lines, out.size());
  }

  @Override
  public AutoCloseable followLogs(TenantId tenantId, UUID agentId, Consumer<String> sink) throws IOException {
    AgentRow row = row(tenantId, agentId);
    Placement placement = reconciler.placement(row);
    if (placement == null) {
      throw new ProblemException(ProblemType.AGENT_UNAVAILABLE, "The agent has not been deployed yet; no logs.");
    }
    return driver.logs(placement).follow(sink);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Chat

  @Override
  public void chat(TenantId tenantId, UUID agentId, String message, String session, ChatListener listener) {
    chats.chat(tenantId, agentId, message, session, listener);
  }

  @Override
  public boolean wake(TenantId tenantId, UUID agentId, String why) {
    AgentRow row = inTenant(tenantId, () -> agents.findLive(tenantId, agentId)).orElse(null);
    if (row == null || row.state() instanceof AgentState.Failed) {
      return false;
    }
    if (row.desired() == DesiredState.RUNNING) {
      inTenant(tenantId, () -> {
        agents.touch(tenantId, agentId, clock.instant());
        return null;
      });
      return true;
    }
    if (!(row.state() instanceof AgentState.Stopped stopped && stopped.idle())) {
      return false; // a person stopped it: what arrived waits until someone starts it
    }
    log.info("waking agent {} of tenant {}: {}", agentId, tenantId, why);
    inTenant(tenantId, () -> {
      agents.setDesiredKeepingCrashes(tenantId, agentId, DesiredState.RUNNING, clock.instant());
      agents.touch(tenantId, agentId, clock.instant());
      return null;
    });
    reconciler.nudge(agentId, tenantId);
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Agent desire(TenantId tenantId, UUID agentId, DesiredState desired, Actor actor, String change) {
    AgentRow row = row(tenantId, agentId);
    inTenant(tenantId, () -> {
      agents.setDesired(tenantId, agentId, desired, clock.instant());
      events.publishEvent(new AgentAuditEvents.AgentChanged(tenantId, actor, agentId, row.name(), change));
      return null;
    });
    reconciler.nudge(agentId, tenantId);
    return get(tenantId, agentId);
  }

  private AgentRow row(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> agents.findLive(tenantId, agentId))
        .orElseThrow(() -> new NotFoundException("agent", agentId.toString()));
  }

  private Agent view(AgentRow row) {
    Placement placement = reconciler.placement(row);
    Long memory = null;
    if (placement != null && row.state() instanceof AgentState.Running
        && driver.observe(placement) instanceof Observed.Running running && running.memoryBytes() >= 0) {
      memory = running.memoryBytes();
    }
    // only a stopped agent is woken for its schedule: no query for the others (their page polls every 2 s)
    java.time.Instant nextRun = row.state() instanceof AgentState.Stopped
        ? schedules.stored(row.tenantId(), row.id()).nextWakeAt() : null;
    return row.view(placement == null ? null : placement.address(), memory, models.modelFor(row).orElse(null),
        nextRun == null || nextRun.isBefore(clock.instant()) ? null : nextRun);
  }

  private <T> T inTenant(TenantId tenantId, java.util.function.Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }


}
