package dev.reef.orchestration.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.access.AgentTokens;
import dev.reef.access.TenantLookup;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.gateway.LlmActivity;
import dev.reef.orchestration.AgentCannotStartException;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.RuntimeContext;
import dev.reef.orchestration.RuntimeInstallException;
import dev.reef.orchestration.internal.AgentDecisions.Action;
import dev.reef.orchestration.internal.AgentDecisions.Situation;
import dev.reef.platform.DatabaseOutage;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.Limits;
import dev.reef.tenancy.TenantCatalog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives every agent's actual state toward its desired state.
 *
 * <p>Design note: every few seconds the reconciler looks at all agents (one query) and, for each that needs
 * something done - start, stop, health check, restart after a crash, idle stop, clean-up after delete - hands it to
 * a virtual thread. Before acting on an agent a replica takes that agent's lease in the database (one conditional
 * update), and renews it while it works, so when several Reef replicas run, exactly one acts on a given agent at a
 * time, and a replica that dies hands its agents over when its leases lapse. A request (start, stop, chat)
 * {@link #nudge nudges} the agent so it does not wait for the next tick.
 *
 * <p>What to do with an agent is decided in one place, {@link AgentDecisions#decide}, from its row, its tenant's
 * status and (for a running agent) what its process looks like; this class gathers those facts and carries the
 * decision out. Because the tenant's status is one of them, a suspended tenant's agents are stopped by the loop
 * itself, on any replica, even when the replica that suspended it died before its listener ran.
 *
 * <p>Restarts after crashes back off exponentially; after {@code maxCrashes} crashes in a row the agent is marked
 * failed and only a person's start request tries again. An agent is idle when nobody chatted with it and it had no
 * LLM call in flight for the tenant's {@code idleStopMinutes}: waiting on the model counts as busy.
 */
@Component
final class AgentReconciler implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(AgentReconciler.class);
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration READY_POLL = Duration.ofMillis(50);
  private static final Duration REASON_EVERY = Duration.ofSeconds(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AgentRepository agents;
  private volatile boolean databaseDown;
  private volatile boolean closing;
  /** The suspended tenants as the last tick read them; null before the first tick. */
  private volatile Set<TenantId> suspendedAtLastTick;
  private final ComputeDriver driver;
  private final Runtimes runtimes;
  private final AgentTokens agentTokens;
  private final SecretStore secrets;
  private final EffectiveLimits limits;
  private final LlmActivity activity;
  private final AgentModels models;
  private final OrchestrationProperties properties;
  private final InstallLog installLog;
  private final TransactionTemplate tx;
  private final JsonMapper json;
  private final Clock clock;
  private final String owner;
  private final StateChanges changes;
  private final TenantCatalog tenants;
  private final TenantLookup tenantLookup;
  private final Set<UUID> working = ConcurrentHashMap.newKeySet();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final AgentHttp http;
  private final ChatsInFlight chatsInFlight;
  private final Cache<TenantId, Optional<Long>> idleMinutes =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(30)).maximumSize(100_000).build();

  AgentReconciler(AgentRepository agents, ActiveDriver driver, Runtimes runtimes, AgentTokens agentTokens,
      SecretStore secrets, EffectiveLimits limits, LlmActivity activity, AgentModels models,
      OrchestrationProperties properties, InstallLog installLog, TransactionTemplate tx, JsonMapper json,
      Replica replica, StateChanges changes, AgentHttp http, TenantCatalog tenants, TenantLookup tenantLookup,
      ChatsInFlight chatsInFlight, Clock clock) {
    this.http = http;
    this.chatsInFlight = chatsInFlight;
    this.tenants = tenants;
    this.tenantLookup = tenantLookup;
    this.agents = agents;
    this.driver = driver.get();
    this.runtimes = runtimes;
    this.agentTokens = agentTokens;
    this.secrets = secrets;
    this.limits = limits;
    this.activity = activity;
    this.models = models;
    this.properties = properties;
    this.installLog = installLog;
    this.tx = tx;
    this.json = json;
    this.clock = clock;
    this.owner = replica.id();
    this.changes = changes;
  }

  /** Looks at every agent and acts on those that need it. */
  @Scheduled(initialDelayString = "${reef.agents.reconcile-interval:2s}",
      fixedDelayString = "${reef.agents.reconcile-interval:2s}")
  void tick() {
    try {
      Set<TenantId> suspended = platform(tenants::suspended);
      suspendedAtLastTick = suspended;
      Instant now = clock.instant();
      for (AgentRow row : platform(agents::allAcrossTenants)) {
        Action action = AgentDecisions.decide(Situation.atTick(row, statusOf(row.tenantId(), suspended), now));
        if (!(action instanceof Action.Nothing || action instanceof Action.Wait)) {
          nudge(row.id(), row.tenantId());
        }
      }
      for (AgentRow orphan : platform(agents::orphansAcrossTenants)) {
        if (orphan.desired() != DesiredState.DELETED) {
          // Its tenant was deleted: everything it had goes, at once.
          platform(() -> {
            agents.markDeleted(orphan.tenantId(), orphan.id(), clock.instant().minus(properties.deleteGrace()),
                clock.instant());
            return null;
          });
          nudge(orphan.id(), orphan.tenantId());
        }
      }
      if (databaseDown) {
        databaseDown = false;
        log.info("The database answers again; agents are reconciled again");
      }
    } catch (RuntimeException e) {
      if (!DatabaseOutage.causedBy(e)) {
        log.error("Reconciling agents failed; trying again at the next tick", e);
      } else if (!databaseDown) {
        databaseDown = true; // said once, not at every tick: running agents keep running meanwhile
        log.warn("The database cannot be reached; agents are reconciled again once it answers");
      }
    }
  }

  /** Acts on one agent now (on a virtual thread), unless this replica is already acting on it. */
  void nudge(UUID agentId, TenantId tenantId) {
    if (closing) {
      return;
    }
    if (working.add(agentId)) {
      try {
        workers.submit(() -> {
          try {
            reconcile(tenantId, agentId);
          } catch (RuntimeException e) {
            if (!DatabaseOutage.causedBy(e)) {
              log.error("Reconciling agent {} failed", agentId, e);
            }
          } finally {
            working.remove(agentId);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        working.remove(agentId); // Reef is stopping: the next start picks it up
      }
    }
  }

  /** Stops the agent if it runs and starts it again, now. */
  void restart(UUID agentId, TenantId tenantId) {
    if (closing) {
      return;
    }
    workers.submit(() -> {
      // wait for any action already under way on this agent to finish first
      while (!working.add(agentId)) {
        sleep(Duration.ofMillis(100));
      }
      try {
        Instant now = clock.instant();
        if (!platform(() -> agents.acquireLease(agentId, owner, now, now.plus(LEASE)))) {
          return;
        }
        try (LeaseRenewal renewal = new LeaseRenewal(agentId)) {
          inTenant(tenantId, () -> agents.findLive(tenantId, agentId)).ifPresent(row -> {
            stop(row, "restarting on request");
            inTenant(tenantId, () -> agents.findLive(tenantId, agentId)).ifPresent(again -> start(again, null));
          });
        } finally {
          platform(() -> {
            agents.releaseLease(agentId, owner);
            return null;
          });
        }
      } catch (RuntimeException e) {
        log.error("Restarting agent {} failed", agentId, e);
      } finally {
        working.remove(agentId);
      }
    });
  }

  private static TenantStatus statusOf(TenantId tenantId, Set<TenantId> suspended) {
    return suspended.contains(tenantId) ? TenantStatus.SUSPENDED : TenantStatus.ACTIVE;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void reconcile(TenantId tenantId, UUID agentId) {
    Instant now = clock.instant();
    if (!platform(() -> agents.acquireLease(agentId, owner, now, now.plus(LEASE)))) {
      return; // another replica is on it
    }
    try (LeaseRenewal renewal = new LeaseRenewal(agentId)) {
      Optional<AgentRow> found = inTenant(tenantId, () -> agents.findIncludingDeleted(tenantId, agentId));
      if (found.isEmpty()) {
        return;
      }
      AgentRow row = found.get();
      // The tick's view (one query per pass, not one per agent); before the first tick, the tenant's own row.
      Set<TenantId> suspended = suspendedAtLastTick;
      TenantStatus tenant = suspended != null ? statusOf(tenantId, suspended)
          : platform(() -> tenantLookup.status(tenantId)).orElse(TenantStatus.ACTIVE);
      Action action = AgentDecisions.decide(Situation.atTick(row, tenant, clock.instant()));
      if (action instanceof Action.Look) {
        Placement placement = placement(row);
        Observed observed = placement == null ? new Observed.Missing() : driver.observe(placement);
        Long idle = idleMinutes.get(tenantId, t -> Optional.ofNullable(limitOf(t).idleStopMinutes())).orElse(null);
        action = AgentDecisions.decide(new Situation(row, tenant, observed, idle, activity.inFlight(row.id()),
            activity.lastCall(row.id()).orElse(null), chatsInFlight.of(row.id()), properties.moveQuietPeriod(),
            clock.instant()));
      }
      act(row, action);
    } finally {
      platform(() -> {
        agents.releaseLease(agentId, owner);
        return null;
      });
    }
  }

  /** Carries out what {@link AgentDecisions#decide} said. */
  private void act(AgentRow row, Action action) {
    switch (action) {
      case Action.Start start -> start(row, null);
      case Action.SwitchVersion(String version, String note) -> switchVersion(row, version, note);
      case Action.Move(String version, String note) -> move(row, version, note);
      case Action.DropMove drop -> inTenant(row.tenantId(), () -> {
        agents.dropMoveToCurrentVersion(row.tenantId(), row.id());
        return null;
      });
      case Action.Stop(String reason, boolean idle) when idle -> {
        inTenant(row.tenantId(), () -> {
          agents.setDesiredKeepingCrashes(row.tenantId(), row.id(), DesiredState.STOPPED, clock.instant());
          return null;
        });
        stop(row, reason, true);
      }
      case Action.Stop(String reason, boolean idle) -> stop(row, reason);
      case Action.Suspend suspend -> {
        // desired stopped too: resuming the tenant does not start its agents by itself
        inTenant(row.tenantId(), () -> {
          agents.setDesired(row.tenantId(), row.id(), DesiredState.STOPPED, clock.instant());
          return null;
        });
        if (!AgentDecisions.atRest(row.state())) {
          stop(row, "the tenant is suspended");
        }
      }
      case Action.CleanUp cleanUp -> cleanUp(row);
      case Action.Crash(String reason) -> {
        agentTokens.revoke(row.tenantId(), row.id());
        crashed(row, reason);
      }
      case Action.ForgiveCrashes forgive -> inTenant(row.tenantId(), () -> {
        agents.resetCrashes(row.tenantId(), row.id());
        return null;
      });
      case Action.Look look -> throw new IllegalStateException("decided to look twice at agent " + row.id());
      case Action.Wait wait -> { }
      case Action.Nothing nothing -> { }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Start

  /**
   * Starts the agent and waits until it is ready. {@code movedBy}: the note of the move that switched its version
   * (a rollout's), or null; a moved agent must then also stay up and answer its health probe before it counts as
   * running.
   */
  private void start(AgentRow row, String movedBy) {
    AgentRuntime runtime = runtimes.find(row.runtime()).orElse(null);
    if (runtime == null) {
      setState(row, new AgentState.Failed("runtime '" + row.runtime() + "' is not available on this Reef"));
      return;
    }
    Placement placement = placement(row);
    if (placement != null && driver.observe(placement) instanceof Observed.Running) {
      // Already running (Reef restarted while it was starting): adopt it rather than start a second one.
      awaitReady(row, runtime, placement, movedBy);
      return;
    }
    Installation installation;
    try {
      if (driver.needsLocalRuntime()) {
        setState(row, new AgentState.Installing("installing " + row.runtime() + " " + row.runtimeVersion()));
        // Every line goes to the install log at once; the reason (what the dashboard shows) at most once a
        // second: an npm install prints hundreds of lines, and a transaction each was most of a start's writes.
        long[] reasonWrittenAt = {Long.MIN_VALUE};
        installation = runtime.install(row.runtimeVersion(), line -> {
          installLog.append(row.id(), line);
          long now = System.nanoTime();
          if (reasonWrittenAt[0] == Long.MIN_VALUE || now - reasonWrittenAt[0] >= REASON_EVERY.toNanos()) {
            reasonWrittenAt[0] = now;
            inTenant(row.tenantId(), () -> {
              agents.updateReason(row.tenantId(), row.id(), "installing: " + line, clock.instant());
              return null;
            });
          }
        });
      } else {
        installation = new Installation(row.runtime(), row.runtimeVersion(), null);
      }
    } catch (RuntimeInstallException e) {
      crashed(row, "install failed: " + e.getMessage());
      return;
    }
    Optional<String> model = models.modelFor(row);
    if (model.isEmpty()) {
      setState(row, new AgentState.Failed(
          "no model to use: the operator has not put any model your plan allows in the catalog"));
      return;
    }
    setState(row, new AgentState.Starting("launching"));
    // The tenant's limits, resolved once for this start, for both the tenant as a whole and this agent. create is
    // idempotent (same address and files); calling it at every start applies the tenant's current memory and CPU
    // limits, not those of the day the agent was first deployed.
    Limits l = limitOf(row.tenantId());
    long memoryMb = l.agentMemoryMb() == null ? 0 : l.agentMemoryMb();
    try {
      driver.prepareTenant(row.tenantId(), TenantAgentsListener.quota(l));
      placement = driver.create(new AgentSpec(row.tenantId(), row.id(), row.name(), row.runtime(),
          row.runtimeVersion(), memoryMb, l.agentCpuMillis() == null ? 0 : l.agentCpuMillis(), properties.port(),
          l.agentMaxProcesses() == null ? 0 : l.agentMaxProcesses(), l.agentDiskMb() == null ? 0 : l.agentDiskMb()));
    } catch (AgentCannotStartException e) {
      setState(row, new AgentState.Failed(e.getMessage()));
      return;
    } catch (RuntimeException e) {
      crashed(row, "could not be placed: " + e.getMessage());
      return;
    }
    String agentToken = agentTokens.mint(row.tenantId(), row.id());
    String gatewayToken = newGatewayToken();
    SecretRef gatewaySecret = storeGatewayToken(row, gatewayToken);
    Launch launch = runtime.launch(installation,
        new RuntimeContext(placement, agentToken, gatewayToken, model.get(), memoryMb));
    Placement started;
    try {
      started = driver.start(placement, launch);
    } catch (AgentCannotStartException e) {
      agentTokens.revoke(row.tenantId(), row.id());
      savePlacement(row, placement, gatewaySecret);
      setState(row, new AgentState.Failed(e.getMessage()));
      return;
    } catch (RuntimeException e) {
      agentTokens.revoke(row.tenantId(), row.id());
      savePlacement(row, placement, gatewaySecret);
      crashed(row, "could not be launched: " + e.getMessage());
      return;
    }
    savePlacement(row, started, gatewaySecret);
    awaitReady(row, runtime, started, movedBy);
  }

  private void awaitReady(AgentRow row, AgentRuntime runtime, Placement placement, String movedBy) {
    Instant deadline = clock.instant().plus(properties.startTimeout());
    while (clock.instant().isBefore(deadline)) {
      Observed observed = driver.observe(placement);
      if (observed instanceof Observed.CannotRun cannot) {
        agentTokens.revoke(row.tenantId(), row.id());
        setState(row, new AgentState.Failed(cannot.reason()));
        return;
      }
      if (!(observed instanceof Observed.Running)) {
        agentTokens.revoke(row.tenantId(), row.id());
        crashed(row, "ended while starting: " + AgentDecisions.describe(observed));
        return;
      }
      if (http.answers(placement, runtime.readinessPath(), Duration.ofSeconds(2))) {
        if (movedBy != null && !staysHealthy(row, runtime, placement, movedBy)) {
          return;
        }
        inTenant(row.tenantId(), () -> {
          agents.markStarted(row.tenantId(), row.id(), clock.instant());
          return null;
        });
        setState(row, new AgentState.Running(movedBy == null ? "ready"
            : "ready on " + row.runtime() + " " + row.runtimeVersion() + " (" + movedBy + ")"));
        return;
      }
      // Often: every poll is a local connection refused or a 503, and each one saved is start time saved.
      sleep(READY_POLL);
    }
    driver.stop(placement, properties.stopGrace());
    agentTokens.revoke(row.tenantId(), row.id());
    crashed(row, "did not become ready within " + properties.startTimeout().toSeconds() + " s");
  }

  /**
   * After a move: still running and answering the runtime's health probe once {@code moveSettle} has passed. If
   * not, it is stopped (so that nothing adopts the failing process) and counted as a crash.
   */
  private boolean staysHealthy(AgentRow row, AgentRuntime runtime, Placement placement, String movedBy) {
    String version = row.runtime() + " " + row.runtimeVersion();
    setState(row, new AgentState.Starting("ready on " + version + "; checking it stays healthy for "
        + properties.moveSettle().toSeconds() + " s"));
    sleep(properties.moveSettle());
    Observed observed = driver.observe(placement);
    String problem = !(observed instanceof Observed.Running) ? "ended: " + AgentDecisions.describe(observed)
        : http.answers(placement, runtime.probePath(), Duration.ofSeconds(5)) ? null
        : "did not answer its health probe (" + runtime.probePath() + ")";
    if (problem == null) {
      return true;
    }
    driver.stop(placement, properties.stopGrace());
    agentTokens.revoke(row.tenantId(), row.id());
    crashed(row, "unhealthy after moving to " + version + " (" + movedBy + "): " + problem);
    return false;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Moves between runtime versions (rollouts and rollbacks)

  /** A running agent at an idle moment: stopped, switched, started, and checked. */
  private void move(AgentRow row, String version, String note) {
    String why = note == null ? "" : " (" + note + ")";
    stop(row, "moving from " + row.runtime() + " " + row.runtimeVersion() + " to " + version + why);
    switchVersion(row, version, note);
  }

  /**
   * The agent runs {@code version} from now on. One that should run (pending, stopped by the move, crashed) is
   * started on it at once and checked like a moved running agent; a sleeping or failed one starts on it when it is
   * next started or woken.
   */
  private void switchVersion(AgentRow row, String version, String note) {
    Placement placement = placement(row);
    if (placement != null && !(row.state() instanceof AgentState.Running)
        && driver.observe(placement) instanceof Observed.Running) {
      driver.stop(placement, properties.stopGrace()); // an interrupted start of the old version: it goes first
    }
    AgentRow current = inTenant(row.tenantId(), () -> agents.findLive(row.tenantId(), row.id())).orElse(null);
    if (current == null) {
      return;
    }
    boolean starts = current.desired() == DesiredState.RUNNING && !(current.state() instanceof AgentState.Failed);
    String event = "now on " + row.runtime() + " " + version + " (was " + current.runtimeVersion() + ")"
        + (note == null ? "" : "; " + note) + (starts ? "" : "; it starts on it when next started");
    inTenant(row.tenantId(), () -> {
      agents.switchVersion(row.tenantId(), row.id(), version, current.state(), event, owner, clock.instant());
      return null;
    });
    changes.changed(row.id());
    if (starts) {
      inTenant(row.tenantId(), () -> agents.findLive(row.tenantId(), row.id()))
          .ifPresent(moved -> start(moved, note == null ? "moved" : note));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Stop, crash, clean up

  private void stop(AgentRow row, String reason) {
    stop(row, reason, false);
  }

  /** {@code idle}: stopped by the idle timer (the next chat wakes it). */
  private void stop(AgentRow row, String reason, boolean idle) {
    Placement placement = placement(row);
    // its token goes first: a stopping agent (its grace period is seconds) makes no more model calls
    agentTokens.revoke(row.tenantId(), row.id());
    setState(row, new AgentState.Stopping(reason));
    if (placement != null) {
      driver.stop(placement, properties.stopGrace());
    }
    setState(row, new AgentState.Stopped(reason, idle));
  }

  /** The agent's LLM token stops working now, before the reconciler gets to stopping its process. */
  void revokeToken(TenantId tenantId, UUID agentId) {
    agentTokens.revoke(tenantId, agentId);
  }

  private void crashed(AgentRow row, String reason) {
    int crashes = row.crashCount() + 1;
    Instant now = clock.instant();
    AgentDecisions.AfterCrash next = AgentDecisions.afterCrash(reason, crashes, properties.maxCrashes(),
        properties.backoff(crashes), now);
    if (next.nextAttemptAt() != null) {
      inTenant(row.tenantId(), () -> {
        agents.recordCrash(row.tenantId(), row.id(), crashes, next.nextAttemptAt(), now);
        return null;
      });
    }
    setState(row, next.state());
  }

  private void cleanUp(AgentRow row) {
    Placement placement = placement(row);
    if (!AgentDecisions.atRest(row.state())) {
      stop(row, "deleted");
    }
    agentTokens.revoke(row.tenantId(), row.id());
    Instant removeAt = row.deletedAt() == null ? clock.instant() : row.deletedAt().plus(properties.deleteGrace());
    if (clock.instant().isBefore(removeAt)) {
      return; // files kept for the grace period
    }
    if (placement != null) {
      driver.destroy(placement);
    }
    installLog.forget(row.id());
    inTenant(row.tenantId(), () -> {
      if (row.gatewayTokenSecret() != null) {
        try {
          secrets.delete(new SecretRef(row.gatewayTokenSecret()));
        } catch (RuntimeException e) {
          log.debug("Gateway token of agent {} already gone", row.id());
        }
      }
      agents.delete(row.tenantId(), row.id());
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private void setState(AgentRow row, AgentState state) {
    inTenant(row.tenantId(), () -> {
      agents.changeState(row.tenantId(), row.id(), state, owner, clock.instant());
      return null;
    });
    changes.changed(row.id());
  }

  Placement placement(AgentRow row) {
    return row.placementJson() == null ? null : json.readValue(row.placementJson(), Placement.class);
  }

  private void savePlacement(AgentRow row, Placement placement, SecretRef gatewaySecret) {
    String text = json.writeValueAsString(placement);
    inTenant(row.tenantId(), () -> {
      agents.savePlacement(row.tenantId(), row.id(), text, gatewaySecret.id(), clock.instant());
      return null;
    });
  }

  private SecretRef storeGatewayToken(AgentRow row, String token) {
    return inTenant(row.tenantId(), () -> {
      Optional<AgentRow> current = agents.findIncludingDeleted(row.tenantId(), row.id());
      UUID existing = current.map(AgentRow::gatewayTokenSecret).orElse(null);
      if (existing != null) {
        secrets.replace(new SecretRef(existing), token);
        return new SecretRef(existing);
      }
      return secrets.put(row.tenantId(), "agent-gateway:" + row.id(), token);
    });
  }

  private Limits limitOf(TenantId tenantId) {
    return inTenant(tenantId, () -> limits.of(tenantId));
  }


  private static String newGatewayToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private <T> T inTenant(TenantId tenantId, java.util.function.Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }

  private <T> T platform(java.util.function.Supplier<T> work) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> work.get()));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }


  /**
   * Lets the actions under way finish (a stop, a clean-up) while the database is still there - this bean is
   * destroyed before the connection pool it uses - and starts no new ones; what does not finish in time is
   * interrupted and picked up again at the next start.
   */
  @Override
  public void destroy() throws InterruptedException {
    closing = true;
    workers.shutdown();
    if (!workers.awaitTermination(15, java.util.concurrent.TimeUnit.SECONDS)) {
      workers.shutdownNow();
    }
  }

  /** Keeps the agent's lease alive while a long action (an install, a slow start) runs. */
  private final class LeaseRenewal implements AutoCloseable {
    private final Thread renewer;

    LeaseRenewal(UUID agentId) {
      renewer = Thread.ofVirtual().start(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          try {
            Thread.sleep(LEASE.dividedBy(3));
          } catch (InterruptedException e) {
            return;
          }
          Instant now = clock.instant();
          platform(() -> agents.acquireLease(agentId, owner, now, now.plus(LEASE)));
        }
      });
    }

    @Override
    public void close() {
      renewer.interrupt();
    }
  }
}
