package dev.reef.orchestration.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.access.TenantLookup;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.gateway.LlmActivity;
import dev.reef.orchestration.AgentChannels;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.internal.AgentDecisions.Action;
import dev.reef.orchestration.internal.AgentDecisions.Situation;
import dev.reef.platform.DatabaseOutage;
import dev.reef.tenancy.TenantCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * status and (for a running agent) what its process looks like; this class gathers those facts, asks, and hands the
 * answer to {@link AgentActions}. Because the tenant's status is one of them, a suspended tenant's agents are
 * stopped by the loop itself, on any replica, even when the replica that suspended it died before its listener ran.
 *
 * <p>Restarts after crashes back off exponentially; after {@code maxCrashes} crashes in a row the agent is marked
 * failed and only a person's start request tries again. An agent is idle when nobody chatted with it and it had no
 * LLM call in flight for the tenant's {@code idleStopMinutes}: waiting on the model counts as busy.
 */
@Component
final class AgentReconciler implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(AgentReconciler.class);
  private static final Duration LEASE = Duration.ofSeconds(30);

  private final AgentRepository agents;
  private final AgentActions actions;
  private volatile boolean databaseDown;
  private volatile boolean closing;
  /** The suspended tenants as the last tick read them; null before the first tick. */
  private volatile Set<TenantId> suspendedAtLastTick;
  private final ComputeDriver driver;
  private final LlmActivity activity;
  private final OrchestrationProperties properties;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final String owner;
  private final TenantCatalog tenants;
  private final TenantLookup tenantLookup;
  private final ChatsInFlight chatsInFlight;
  private final AgentScheduleService schedules;
  /** Asked when an agent would sleep: the channels module needs agents, so it comes later. */
  private final org.springframework.beans.factory.ObjectProvider<AgentChannels> channels;
  private final Set<UUID> working = ConcurrentHashMap.newKeySet();
  /** Agents by stored state at the last tick, for the {@code reef.agents} gauge. */
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> byState = new ConcurrentHashMap<>();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Cache<TenantId, Optional<Long>> idleMinutes =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(30)).maximumSize(100_000).build();

  AgentReconciler(AgentRepository agents, AgentActions actions, ActiveDriver driver, LlmActivity activity,
      OrchestrationProperties properties, TransactionTemplate tx, Replica replica, TenantCatalog tenants,
      TenantLookup tenantLookup, ChatsInFlight chatsInFlight, io.micrometer.core.instrument.MeterRegistry metrics,
      AgentScheduleService schedules, org.springframework.beans.factory.ObjectProvider<AgentChannels> channels,
      Clock clock) {
    this.schedules = schedules;
    this.channels = channels;
    for (String state : java.util.List.of("pending", "installing", "starting", "running", "stopping", "stopped",
        "idle", "crashed", "failed")) {
      java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
      byState.put(state, count);
      io.micrometer.core.instrument.Gauge.builder("reef.agents", count, java.util.concurrent.atomic.AtomicLong::get)
          .description("Agents (not deleted) in each state, as the last reconcile pass saw them")
          .tag("state", state).register(metrics);
    }
    this.agents = agents;
    this.actions = actions;
    this.driver = driver.get();
    this.activity = activity;
    this.properties = properties;
    this.tx = tx;
    this.owner = replica.id();
    this.tenants = tenants;
    this.tenantLookup = tenantLookup;
    this.chatsInFlight = chatsInFlight;
    this.clock = clock;
  }

  /** The agent's LLM token stops working now, before the reconciler gets to stopping its process. */
  void revokeToken(TenantId tenantId, UUID agentId) {
    actions.revokeToken(tenantId, agentId);
  }

  /** Where the agent runs, from its row; null before its first start. */
  Placement placement(AgentRow row) {
    return actions.placement(row);
  }

  /** Looks at every agent and acts on those that need it. */
  @Scheduled(initialDelayString = "${reef.agents.reconcile-interval:2s}",
      fixedDelayString = "${reef.agents.reconcile-interval:2s}")
  void tick() {
    try {
      Set<TenantId> suspended = platform(tenants::suspended);
      suspendedAtLastTick = suspended;
      Instant now = clock.instant();
      java.util.Map<String, Long> counted = new java.util.HashMap<>();
      List<AgentRow> rows = platform(agents::allAcrossTenants);
      for (AgentRow row : rows) {
        if (row.deletedAt() == null) {
          counted.merge(row.state().stored(), 1L, Long::sum);
        }
      }
      byState.forEach((state, count) -> count.set(counted.getOrDefault(state, 0L)));
      for (AgentRow row : rows) {
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
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        Instant now = clock.instant();
        if (!platform(() -> agents.acquireLease(agentId, owner, now, now.plus(LEASE)))) {
          return;
        }
        try (LeaseRenewal renewal = new LeaseRenewal(agentId)) {
          inTenant(tenantId, () -> agents.findLive(tenantId, agentId)).ifPresent(row -> {
            actions.stop(row, "restarting on request");
            inTenant(tenantId, () -> agents.findLive(tenantId, agentId)).ifPresent(again -> actions.start(again,
                null));
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
        Placement placement = actions.placement(row);
        Observed observed = placement == null ? new Observed.Missing() : driver.observe(placement);
        Long idle = idleMinutes.get(tenantId, t -> Optional.ofNullable(actions.limitOf(t).idleStopMinutes()))
            .orElse(null);
        action = AgentDecisions.decide(new Situation(row, tenant, observed, idle, activity.inFlight(row.id()),
            activity.lastCall(row.id()).orElse(null), chatsInFlight.of(row.id()), properties.moveQuietPeriod(),
            clock.instant()));
        if (observed instanceof Observed.Running && row.state() instanceof dev.reef.orchestration.AgentState.Running) {
          action = schedules.review(row, action, idle); // its schedule, kept fresh; no sleep right before a run
        }
        if (action instanceof Action.Stop stop && stop.idle()
            && channels.getIfAvailable(() -> AgentChannels.NONE).keepsAwake(tenantId, agentId)) {
          action = AgentDecisions.NOTHING; // it holds a channel's connection: asleep, it could not be reached
        }
      }
      actions.carryOut(row, action);
    } finally {
      platform(() -> {
        agents.releaseLease(agentId, owner);
        return null;
      });
    }
  }

  private <T> T inTenant(TenantId tenantId, java.util.function.Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }

  private <T> T platform(java.util.function.Supplier<T> work) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> work.get()));
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
