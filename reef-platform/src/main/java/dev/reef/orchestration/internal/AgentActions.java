package dev.reef.orchestration.internal;

import dev.reef.access.AgentTokens;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentCannotStartException;
import dev.reef.orchestration.AgentChannel;
import dev.reef.orchestration.AgentChannels;
import dev.reef.orchestration.AgentConfig;
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
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.Limits;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Carries out what {@link AgentDecisions#decide} said for one agent: start (install, place, launch, wait for ready),
 * stop, crash and back off, move to another runtime version, clean up. {@link AgentReconciler} decides when and holds
 * the agent's lease; this class only acts.
 *
 * <p>Every state change is one repository call in one transaction ({@link #setState}: the row and its event
 * together); install progress is buffered into the install log and written to the row at most once a second.
 */
@Component
final class AgentActions {

  private static final Logger log = LoggerFactory.getLogger(AgentActions.class);
  private static final Duration READY_POLL = Duration.ofMillis(50);
  private static final Duration REASON_EVERY = Duration.ofSeconds(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AgentRepository agents;
  private final ComputeDriver driver;
  private final Runtimes runtimes;
  private final AgentTokens agentTokens;
  private final SecretStore secrets;
  private final EffectiveLimits limits;
  private final AgentModels models;
  private final OrchestrationProperties properties;
  private final InstallLog installLog;
  private final TransactionTemplate tx;
  private final JsonMapper json;
  private final Clock clock;
  private final String owner;
  private final StateChanges changes;
  private final AgentHttp http;

  private final AgentConfigRollback configRollback;
  private final ObjectProvider<AgentChannels> channels;

  AgentActions(AgentRepository agents, ActiveDriver driver, Runtimes runtimes, AgentTokens agentTokens,
      SecretStore secrets, EffectiveLimits limits, AgentModels models, OrchestrationProperties properties,
      InstallLog installLog, TransactionTemplate tx, JsonMapper json, Replica replica, StateChanges changes,
      AgentHttp http, AgentConfigRollback configRollback, ObjectProvider<AgentChannels> channels, Clock clock) {
    this.configRollback = configRollback;
    this.channels = channels; // asked at each start: the channels module needs agents, so it comes later
    this.agents = agents;
    this.driver = driver.get();
    this.runtimes = runtimes;
    this.agentTokens = agentTokens;
    this.secrets = secrets;
    this.limits = limits;
    this.models = models;
    this.properties = properties;
    this.installLog = installLog;
    this.tx = tx;
    this.json = json;
    this.clock = clock;
    this.owner = replica.id();
    this.changes = changes;
    this.http = http;
  }

  /** Carries out what {@link AgentDecisions#decide} said, under the agent's lease (the caller holds it). */
  void carryOut(AgentRow row, Action action) {
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
  void start(AgentRow row, String movedBy) {
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
    Optional<AgentState> cannotStart = AgentDecisions.withoutModel(model);
    if (cannotStart.isPresent()) {
      setState(row, cannotStart.get());
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
    AgentConfig config = inTenant(row.tenantId(), () -> configRollback.forStart(row));
    List<AgentChannel> connected = channels.getIfAvailable(() -> AgentChannels.NONE)
        .forStart(row.tenantId(), row.id());
    Launch launch = runtime.launch(installation,
        new RuntimeContext(placement, agentToken, gatewayToken, model.get(), memoryMb, config, connected));
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
    Instant startedAt = clock.instant();
    while (true) {
      Observed observed = driver.observe(placement);
      boolean ready = observed instanceof Observed.Running
          && http.answers(placement, runtime.readinessPath(), Duration.ofSeconds(2));
      switch (AgentDecisions.whileStarting(observed, ready, startedAt, properties.startTimeout(), clock.instant())) {
        case AgentDecisions.StartStep.Ready r -> {
          if (movedBy != null && !staysHealthy(row, runtime, placement, movedBy)) {
            return;
          }
          inTenant(row.tenantId(), () -> {
            agents.markStarted(row.tenantId(), row.id(), clock.instant());
            configRollback.ready(row);
            return null;
          });
          setState(row, new AgentState.Running(movedBy == null ? "ready"
              : "ready on " + row.runtime() + " " + row.runtimeVersion() + " (" + movedBy + ")"));
          return;
        }
        // Often: every poll is a local connection refused or a 503, and each one saved is start time saved.
        case AgentDecisions.StartStep.Poll p -> sleep(READY_POLL);
        case AgentDecisions.StartStep.CannotRun(String reason) -> {
          agentTokens.revoke(row.tenantId(), row.id());
          setState(row, new AgentState.Failed(reason));
          return;
        }
        case AgentDecisions.StartStep.Crash(String reason, boolean stopFirst) -> {
          if (stopFirst) {
            driver.stop(placement, properties.stopGrace());
          }
          agentTokens.revoke(row.tenantId(), row.id());
          // a configuration that keeps the agent from starting is rolled back, and the reason says so
          String rolledBack = inTenant(row.tenantId(), () -> configRollback.afterFailedStart(row)).orElse(null);
          crashed(row, rolledBack == null ? reason : reason + "; " + rolledBack);
          return;
        }
      }
    }
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

  void stop(AgentRow row, String reason) {
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

  Limits limitOf(TenantId tenantId) {
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


  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
