package dev.reef.orchestration.internal;

import dev.reef.access.TenantLookup;
import dev.reef.common.Actor;
import dev.reef.common.ConflictException;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.RuntimeInstallException;
import dev.reef.orchestration.RuntimeRollouts;
import dev.reef.orchestration.internal.RolloutAgent.State;
import dev.reef.platform.DatabaseOutage;
import dev.reef.tenancy.EffectiveLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runtime rollouts: chooses the agents and batches, asks each agent of the current batch to move (the reconciler
 * moves it at its next idle moment, see {@link AgentDecisions}), reads how each move went from the agent's own row,
 * and moves on, pauses, completes, or rolls a failed batch back.
 *
 * <p>Design note: the rollout never touches an agent's process. It only writes the agent's {@code move_to_version};
 * everything that happens to the agent happens in the reconciler, under the agent's lease, with its events. Outcomes
 * are read back from the agent row: a running agent that came back {@code running} on the target passed (the
 * reconciler only says running after it stayed up for {@code moveSettle} and answered its health probe); one that
 * crashed or failed after its move failed; one that was asleep moved without a check (it starts on the target when
 * woken). So a Reef replica dying mid-rollout loses nothing: another takes the rollout's lease and reads the same
 * rows.
 */
@Service
final class RolloutService implements RuntimeRollouts {

  private static final Logger log = LoggerFactory.getLogger(RolloutService.class);
  private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.]+)?");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final int DEFAULT_BATCH_SIZE = 10;
  private static final int DEFAULT_PAUSE_SECONDS = 60;

  private final RolloutRepository rollouts;
  private final AgentRepository agents;
  private final Runtimes runtimes;
  private final RuntimeVersions versions;
  private final AgentReconciler reconciler;
  private final ComputeDriver driver;
  private final TenantLookup tenants;
  private final EffectiveLimits limits;
  private final TransactionTemplate tx;
  private final String owner;
  private final Clock clock;
  /** Installs under way or failed on this replica (the cache is this machine's), by runtime and version. */
  private final Map<String, VersionInfo> installs = new ConcurrentHashMap<>();
  /** Which rollouts a thread of this replica is driving now. */
  private final Map<UUID, java.util.concurrent.locks.ReentrantLock> driving = new ConcurrentHashMap<>();
  private volatile boolean databaseDown;

  RolloutService(RolloutRepository rollouts, AgentRepository agents, Runtimes runtimes, RuntimeVersions versions,
      AgentReconciler reconciler, ActiveDriver driver, TenantLookup tenants, EffectiveLimits limits,
      TransactionTemplate tx, Replica replica, Clock clock) {
    this.rollouts = rollouts;
    this.agents = agents;
    this.runtimes = runtimes;
    this.versions = versions;
    this.reconciler = reconciler;
    this.driver = driver.get();
    this.tenants = tenants;
    this.limits = limits;
    this.tx = tx;
    this.owner = replica.id();
    this.clock = clock;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Runtimes and installs

  @Override
  public List<RuntimeInfo> runtimes(boolean withAvailable) {
    List<RuntimeInfo> out = new ArrayList<>();
    for (String name : runtimes.names()) {
      AgentRuntime runtime = runtimes.find(name).orElseThrow();
      Map<String, Long> inUse = platform(() -> agents.countLiveByVersion(name));
      Map<String, VersionInfo> byVersion = new java.util.TreeMap<>(Comparator.comparing(RolloutService::sortKey)
          .reversed());
      boolean local = driver.needsLocalRuntime();
      if (local) {
        for (String version : runtime.installedVersions()) {
          byVersion.put(version, new VersionInfo(version, "installed", null, inUse.getOrDefault(version, 0L)));
        }
      }
      inUse.forEach((version, count) -> byVersion.putIfAbsent(version, new VersionInfo(version,
          local ? "missing" : "none", local ? "agents use it but it is not installed; it is installed when one starts"
          : null, count)));
      installs.forEach((key, info) -> {
        if (key.startsWith(name + "@") && !"installed".equals(byVersion.getOrDefault(info.version(),
            new VersionInfo(info.version(), "", null, 0)).install())) {
          byVersion.put(info.version(), new VersionInfo(info.version(), info.install(), info.detail(),
              inUse.getOrDefault(info.version(), 0L)));
        }
      });
      List<String> available = withAvailable ? runtime.availableVersions() : List.of();
      out.add(new RuntimeInfo(name, versions.current(runtime), runtime.defaultVersion(), local,
          List.copyOf(byVersion.values()), available));
    }
    return out;
  }

  @Override
  public VersionInfo install(String runtimeName, String version, Actor actor) {
    AgentRuntime runtime = runtime(runtimeName);
    checkVersion("version", version);
    if (!driver.needsLocalRuntime()) {
      throw new ConflictException("This Reef's agents get " + runtimeName + " from their image ("
          + "see reef-kubernetes/IMAGE.md): there is nothing to install here. Build and push the image for "
          + version + ", then roll it out.");
    }
    if (runtime.isInstalled(version)) {
      return new VersionInfo(version, "installed", null, 0);
    }
    String key = runtimeName + "@" + version;
    VersionInfo started = new VersionInfo(version, "installing", "starting", 0);
    VersionInfo previous = installs.putIfAbsent(key, started);
    if (previous != null && "installing".equals(previous.install())) {
      return previous;
    }
    installs.put(key, started);
    log.info("{} installs {} {}", actor.display(), runtimeName, version);
    Thread.ofVirtual().name("install-" + key).start(() -> {
      try {
        runtime.install(version, line -> installs.put(key, new VersionInfo(version, "installing", line, 0)));
        installs.remove(key);
      } catch (RuntimeInstallException e) {
        log.warn("Installing {} {} failed: {}", runtimeName, version, e.getMessage());
        installs.put(key, new VersionInfo(version, "failed", e.getMessage(), 0));
      } catch (RuntimeException e) {
        log.error("Installing {} {} failed", runtimeName, version, e);
        installs.put(key, new VersionInfo(version, "failed", e.toString(), 0));
      }
    });
    return started;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Operator actions

  @Override
  public Rollout start(RolloutRequest request, Actor actor) {
    AgentRuntime runtime = runtime(request.runtime());
    checkVersion("targetVersion", request.targetVersion());
    int batchSize = request.batchSize() == null ? DEFAULT_BATCH_SIZE : request.batchSize();
    int pause = request.pauseSeconds() == null ? DEFAULT_PAUSE_SECONDS : request.pauseSeconds();
    if (batchSize < 1 || batchSize > 10_000) {
      throw new InvalidRequestException("batchSize", "must be between 1 and 10000");
    }
    if (pause < 0 || pause > 86_400) {
      throw new InvalidRequestException("pauseSeconds", "must be between 0 and 86400 (a day)");
    }
    if (request.canaryPercent() != null && (request.canaryPercent() < 1 || request.canaryPercent() > 100)) {
      throw new InvalidRequestException("canaryPercent", "must be between 1 and 100");
    }
    if (request.canaryPercent() != null && request.canaryTenants() != null) {
      throw new InvalidRequestException("canaryTenants", "give a canary share or a list of tenants, not both");
    }
    checkTenants("tenants", request.tenants());
    checkTenants("canaryTenants", request.canaryTenants());
    if (request.tenants() != null && request.canaryTenants() != null
        && !request.tenants().containsAll(request.canaryTenants())) {
      throw new InvalidRequestException("canaryTenants", "must be among the rollout's tenants");
    }
    if (driver.needsLocalRuntime() && !runtime.isInstalled(request.targetVersion())) {
      throw new ConflictException(runtime.name() + " " + request.targetVersion() + " is not installed on this Reef;"
          + " install it first (POST /api/v1/runtimes/" + runtime.name() + "/installs) and roll out once it is.");
    }
    Instant now = clock.instant();
    RolloutRow row = new RolloutRow(UUID.randomUUID(), runtime.name(), request.targetVersion(),
        request.tenants() == null ? null : List.copyOf(new java.util.LinkedHashSet<>(request.tenants())),
        request.canaryPercent(), request.canaryTenants() == null ? null
        : List.copyOf(new java.util.LinkedHashSet<>(request.canaryTenants())), batchSize, pause,
        RolloutRow.State.RUNNING,
        "choosing the agents to move", -1, 0, null, actor.display(), now, now);
    platform(() -> {
      Optional<RolloutRow> active = rollouts.active().stream().filter(r -> r.runtime().equals(runtime.name()))
          .findFirst();
      if (active.isPresent()) {
        throw new ConflictException("Rollout " + active.get().id() + " of " + runtime.name() + " is still "
            + active.get().state().json() + "; finish or cancel it first.");
      }
      try {
        rollouts.insert(row);
      } catch (org.springframework.dao.DuplicateKeyException raced) {
        throw new ConflictException("Another rollout of " + runtime.name() + " was started at the same moment.");
      }
      return null;
    });
    log.info("{} started rollout {} of {} {}", actor.display(), row.shortId(), row.runtime(), row.targetVersion());
    drive(row.id());
    return get(row.id());
  }

  @Override
  public List<Rollout> list() {
    return platform(() -> {
      List<RolloutRow> rows = rollouts.list(100);
      Map<UUID, Map<State, Integer>> counts = rollouts.counts(rows.stream().map(RolloutRow::id).toList());
      return rows.stream().map(r -> view(r, counts.getOrDefault(r.id(), Map.of()))).toList();
    });
  }

  @Override
  public Rollout get(UUID rolloutId) {
    return platform(() -> {
      RolloutRow row = find(rolloutId);
      return view(row, rollouts.counts(List.of(rolloutId)).getOrDefault(rolloutId, Map.of()));
    });
  }

  @Override
  public List<RolloutAgentStatus> agents(UUID rolloutId) {
    return platform(() -> {
      find(rolloutId);
      return rollouts.agents(rolloutId).stream().map(a -> new RolloutAgentStatus(a.agentId(), a.tenantId().toString(),
          a.batch(), a.fromVersion(), a.state().json(), a.reason(), a.updatedAt())).toList();
    });
  }

  @Override
  public Rollout pause(UUID rolloutId, Actor actor) {
    return change(rolloutId, actor, RolloutRow.State.RUNNING, RolloutRow.State.PAUSED,
        "paused by " + actor.display() + "; moves under way finish");
  }

  @Override
  public Rollout resume(UUID rolloutId, Actor actor) {
    Rollout resumed = change(rolloutId, actor, RolloutRow.State.PAUSED, RolloutRow.State.RUNNING,
        "resumed by " + actor.display());
    drive(rolloutId);
    return get(resumed.id());
  }

  @Override
  public Rollout cancel(UUID rolloutId, Actor actor) {
    platform(() -> {
      RolloutRow row = find(rolloutId);
      if (!row.state().active()) {
        throw new ConflictException("The rollout is " + row.state().json() + " already.");
      }
      Instant now = clock.instant();
      for (RolloutAgent a : rollouts.agents(rolloutId)) {
        if (a.state() == State.WAITING || a.state() == State.MOVING) {
          if (a.state() == State.MOVING) {
            agents.findAcrossTenants(a.agentId()).filter(agent -> row.targetVersion().equals(agent.moveToVersion()))
                .ifPresent(agent -> agents.requestMove(a.tenantId(), a.agentId(), null, null, now));
          }
          rollouts.setAgentState(rolloutId, a.agentId(), State.SKIPPED, "the rollout was cancelled first", now);
        }
      }
      rollouts.setState(rolloutId, RolloutRow.State.CANCELLED, "cancelled by " + actor.display()
          + "; agents already moved stay on " + row.targetVersion(), now);
      return null;
    });
    log.info("{} cancelled rollout {}", actor.display(), rolloutId);
    return get(rolloutId);
  }

  private Rollout change(UUID rolloutId, Actor actor, RolloutRow.State from, RolloutRow.State to, String reason) {
    platform(() -> {
      RolloutRow row = find(rolloutId);
      if (row.state() != from) {
        throw new ConflictException("The rollout is " + row.state().json() + ", not " + from.json() + ".");
      }
      rollouts.setState(rolloutId, to, reason, clock.instant());
      return null;
    });
    log.info("Rollout {}: {}", rolloutId, reason);
    return get(rolloutId);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pins

  @Override
  public List<Pin> pins(TenantId tenantId) {
    Instant now = clock.instant();
    return inTenant(tenantId, () -> rollouts.pins(tenantId).stream().filter(p -> p.holdsAt(now))
        .map(p -> new Pin(p.runtime(), p.version(), p.until())).toList());
  }

  @Override
  public Pin pin(TenantId tenantId, String runtimeName, String version, Integer days, Actor actor) {
    AgentRuntime runtime = runtimes.find(runtimeName).orElseThrow(() -> new NotFoundException("runtime",
        runtimeName));
    checkVersion("version", version);
    Long allowed = inTenant(tenantId, () -> limits.of(tenantId).runtimePinDays());
    if (allowed != null && allowed == 0) {
      throw new ProblemException(ProblemType.FORBIDDEN, "Your plan does not let you pin runtime versions "
          + "(runtimePinDays is 0); your agents move with the operator's rollouts.").with("limit", "runtimePinDays");
    }
    long chosen = days == null ? (allowed == null ? 30 : allowed) : days;
    if (chosen < 1 || (allowed != null && chosen > allowed)) {
      throw new InvalidRequestException("days", "must be between 1 and " + (allowed == null ? "any number of"
          : allowed) + " (your plan's runtimePinDays)");
    }
    if (driver.needsLocalRuntime() && !runtime.isInstalled(version)) {
      throw new InvalidRequestException("version", runtimeName + " " + version + " is not installed on this Reef;"
          + " installed: " + String.join(", ", runtime.installedVersions()));
    }
    Instant now = clock.instant();
    RuntimePin pin = new RuntimePin(runtime.name(), version, now.plus(Duration.ofDays(chosen)));
    List<AgentRow> moved = inTenant(tenantId, () -> {
      rollouts.savePin(tenantId, pin, now);
      List<AgentRow> elsewhere = agents.listLive(tenantId).stream()
          .filter(a -> a.runtime().equals(runtime.name()) && !version.equals(a.runtimeVersion())).toList();
      elsewhere.forEach(a -> agents.requestMove(tenantId, a.id(), version, "pinned by the tenant", now));
      return elsewhere;
    });
    moved.forEach(a -> reconciler.nudge(a.id(), tenantId));
    log.info("Tenant {} pinned {} {} until {} ({})", tenantId, runtime.name(), version, pin.until(), actor.display());
    return new Pin(pin.runtime(), pin.version(), pin.until());
  }

  @Override
  public void unpin(TenantId tenantId, String runtime, Actor actor) {
    if (!inTenant(tenantId, () -> rollouts.deletePin(tenantId, runtime))) {
      throw new NotFoundException("runtime pin", runtime);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Driving rollouts

  @Scheduled(initialDelayString = "${reef.agents.reconcile-interval:2s}",
      fixedDelayString = "${reef.agents.reconcile-interval:2s}")
  void tick() {
    try {
      for (RolloutRow row : platform(rollouts::driven)) {
        drive(row.id());
      }
      databaseDown = false;
    } catch (RuntimeException e) {
      if (!DatabaseOutage.causedBy(e)) {
        log.error("Driving rollouts failed; trying again at the next tick", e);
      } else if (!databaseDown) {
        databaseDown = true;
        log.warn("The database cannot be reached; rollouts go on once it answers");
      }
    }
  }

  /**
   * One step of one rollout, under its lease (one replica drives a rollout at a time) and, within this replica, by one
   * thread at a time (the tick and a request may both want to): a step already under way is not repeated.
   */
  void drive(UUID rolloutId) {
    java.util.concurrent.locks.ReentrantLock lock = driving.computeIfAbsent(rolloutId,
        id -> new java.util.concurrent.locks.ReentrantLock());
    if (!lock.tryLock()) {
      return;
    }
    try {
      driveLocked(rolloutId);
    } finally {
      lock.unlock();
    }
  }

  private void driveLocked(UUID rolloutId) {
    Instant now = clock.instant();
    if (!platform(() -> rollouts.acquireLease(rolloutId, owner, now, now.plus(LEASE)))) {
      return;
    }
    List<AgentRow> toNudge = new ArrayList<>();
    platform(() -> {
      RolloutRow row = find(rolloutId);
      if (row.currentBatch() < 0) {
        plan(row);
        row = find(rolloutId);
        if (!row.state().active()) {
          return null;
        }
      }
      step(row, toNudge);
      return null;
    });
    toNudge.forEach(a -> reconciler.nudge(a.id(), a.tenantId()));
  }

  /** Chooses the agents and their batches: the canary first, running agents before sleeping ones. */
  private void plan(RolloutRow row) {
    Instant now = clock.instant();
    Set<TenantId> scope = row.scopeTenants() == null ? null : new HashSet<>(row.scopeTenants());
    List<AgentRow> candidates = agents.liveOfRuntime(row.runtime()).stream()
        .filter(a -> scope == null || scope.contains(a.tenantId()))
        .filter(a -> !row.targetVersion().equals(a.runtimeVersion()) || a.moveToVersion() != null)
        .sorted(Comparator.comparing((AgentRow a) -> !(a.state() instanceof AgentState.Running))
            .thenComparing(a -> a.id().toString()))
        .toList();
    List<List<AgentRow>> batches = new ArrayList<>();
    List<AgentRow> rest = new ArrayList<>(candidates);
    if (row.canaryTenants() != null) {
      Set<TenantId> canary = new HashSet<>(row.canaryTenants());
      List<AgentRow> first = rest.stream().filter(a -> canary.contains(a.tenantId())).toList();
      rest.removeAll(first);
      if (!first.isEmpty()) {
        batches.add(first);
      }
    } else if (row.canaryPercent() != null && !rest.isEmpty()) {
      int size = Math.max(1, (int) Math.ceil(rest.size() * row.canaryPercent() / 100.0));
      batches.add(new ArrayList<>(rest.subList(0, size)));
      rest = new ArrayList<>(rest.subList(size, rest.size()));
    }
    for (int i = 0; i < rest.size(); i += row.batchSize()) {
      batches.add(rest.subList(i, Math.min(rest.size(), i + row.batchSize())));
    }
    Set<TenantId> pinned = new HashSet<>(rollouts.pinnedTenants(row.runtime(), now));
    for (int b = 0; b < batches.size(); b++) {
      for (AgentRow a : batches.get(b)) {
        boolean held = pinned.contains(a.tenantId());
        rollouts.insertAgent(row.id(), new RolloutAgent(a.id(), a.tenantId(), b, a.runtimeVersion(),
            held ? State.HELD : State.WAITING, held ? "its tenant pinned " + row.runtime() : null, now), now);
      }
    }
    if (batches.isEmpty()) {
      complete(row, "no agent needed to move", now);
      return;
    }
    rollouts.setBatch(row.id(), 0, batches.size(), now, batchReason(row, 0, batches.size()) + ": starting", now);
  }

  private void step(RolloutRow row, List<AgentRow> toNudge) {
    Instant now = clock.instant();
    List<RolloutAgent> all = rollouts.agents(row.id());
    for (RolloutAgent a : all) {
      if (a.state() == State.MOVING || a.state() == State.ROLLING_BACK) {
        Outcome outcome = outcome(row, a, agents.findAcrossTenants(a.agentId()).orElse(null));
        if (outcome.state() != a.state()) {
          rollouts.setAgentState(row.id(), a.agentId(), outcome.state(), outcome.reason(), now);
        }
      }
    }
    if (!row.state().active()) {
      return; // a failed rollout's rollbacks are followed until they are back
    }
    all = rollouts.agents(row.id());
    List<RolloutAgent> batch = all.stream().filter(a -> a.batch() == row.currentBatch()).toList();
    Optional<RolloutAgent> failed = batch.stream().filter(a -> a.state() == State.FAILED).findFirst();
    if (failed.isPresent()) {
      rollBack(row, failed.get(), batch, all, toNudge, now);
      return;
    }
    if (row.state() == RolloutRow.State.PAUSED || (row.nextBatchAt() != null && now.isBefore(row.nextBatchAt()))) {
      return;
    }
    Set<TenantId> pinned = new HashSet<>(rollouts.pinnedTenants(row.runtime(), now));
    for (RolloutAgent a : batch) {
      if (a.state() != State.WAITING) {
        continue;
      }
      AgentRow agent = agents.findAcrossTenants(a.agentId()).orElse(null);
      if (agent == null || agent.deletedAt() != null || !agent.runtime().equals(row.runtime())) {
        rollouts.setAgentState(row.id(), a.agentId(), State.GONE, "deleted before it moved", now);
      } else if (pinned.contains(a.tenantId())) {
        rollouts.setAgentState(row.id(), a.agentId(), State.HELD, "its tenant pinned " + row.runtime(), now);
      } else {
        agents.requestMove(a.tenantId(), a.agentId(), row.targetVersion(), "rollout " + row.shortId(), now);
        rollouts.setAgentState(row.id(), a.agentId(), State.MOVING, "moves at its next idle moment", now);
        toNudge.add(agent);
      }
    }
    batch = rollouts.agents(row.id()).stream().filter(a -> a.batch() == row.currentBatch()).toList();
    long open = batch.stream().filter(a -> !a.state().settled()).count();
    String progress = batchReason(row, row.currentBatch(), row.batchCount());
    if (open > 0) {
      rollouts.setState(row.id(), row.state(), progress + ": " + (batch.size() - open) + " of " + batch.size()
          + " done, " + open + " moving (each at its next idle moment)", now);
      return;
    }
    int next = row.currentBatch() + 1;
    if (next >= row.batchCount()) {
      complete(row, null, now);
    } else {
      rollouts.setBatch(row.id(), next, row.batchCount(), now.plusSeconds(row.pauseSeconds()), progress
          + " healthy; " + batchReason(row, next, row.batchCount()) + " starts after a " + row.pauseSeconds()
          + " s pause", now);
    }
  }

  private void rollBack(RolloutRow row, RolloutAgent failed, List<RolloutAgent> batch, List<RolloutAgent> all,
      List<AgentRow> toNudge, Instant now) {
    int back = 0;
    for (RolloutAgent a : batch) {
      switch (a.state()) {
        case MOVING, HEALTHY, MOVED, FAILED -> {
          Optional<AgentRow> agent = agents.findAcrossTenants(a.agentId()).filter(x -> x.deletedAt() == null);
          if (agent.isEmpty()) {
            rollouts.setAgentState(row.id(), a.agentId(), State.GONE, "deleted", now);
            continue;
          }
          agents.requestMove(a.tenantId(), a.agentId(), a.fromVersion(), "rollback of rollout " + row.shortId(),
              now);
          rollouts.setAgentState(row.id(), a.agentId(), State.ROLLING_BACK, (a.state() == State.FAILED
              ? a.reason() + "; " : "") + "moving back to " + a.fromVersion(), now);
          toNudge.add(agent.get());
          back++;
        }
        default -> { }
      }
    }
    for (RolloutAgent a : all) {
      if (a.state() == State.WAITING) {
        rollouts.setAgentState(row.id(), a.agentId(), State.SKIPPED, "the rollout failed first", now);
      }
    }
    String reason = batchReason(row, row.currentBatch(), row.batchCount()) + " failed: agent " + failed.agentId()
        + " (tenant " + failed.tenantId() + ") " + failed.reason() + "; rolling back " + back + " agent"
        + (back == 1 ? "" : "s") + " of the batch";
    rollouts.setState(row.id(), RolloutRow.State.FAILED, reason, now);
    log.warn("Rollout {} of {} {}: {}", row.shortId(), row.runtime(), row.targetVersion(), reason);
  }

  private void complete(RolloutRow row, String why, Instant now) {
    Map<State, Integer> counts = rollouts.counts(List.of(row.id())).getOrDefault(row.id(), Map.of());
    int healthy = counts.getOrDefault(State.HEALTHY, 0);
    int asleep = counts.getOrDefault(State.MOVED, 0);
    int held = counts.getOrDefault(State.HELD, 0);
    int moved = healthy + asleep;
    List<String> how = new ArrayList<>();
    if (healthy > 0) {
      how.add(healthy + " checked healthy");
    }
    if (asleep > 0) {
      how.add(asleep + " asleep: they start on it when woken");
    }
    String reason = why != null ? why : "moved " + moved + " agent" + (moved == 1 ? "" : "s") + " to "
        + row.targetVersion() + (how.isEmpty() ? "" : " (" + String.join(", ", how) + ")")
        + (held > 0 ? "; " + held + " held by their tenants' pins" : "");
    if (row.scopeTenants() == null) {
      // only a rollout to every tenant decides what new agents get; one to some tenants is a trial
      rollouts.setDefaultVersion(row.runtime(), row.targetVersion(), row.id(), now);
      reason += "; new agents get " + row.targetVersion();
    }
    rollouts.setState(row.id(), RolloutRow.State.COMPLETED, reason, now);
    log.info("Rollout {} of {} {} completed: {}", row.shortId(), row.runtime(), row.targetVersion(), reason);
  }

  private record Outcome(State state, String reason) {}

  /** How an agent's move (or move back) went, read from its row. */
  static Outcome outcome(RolloutRow row, RolloutAgent a, AgentRow agent) {
    if (agent == null || agent.deletedAt() != null) {
      return new Outcome(State.GONE, "deleted");
    }
    if (a.state() == State.ROLLING_BACK) {
      return agent.moveToVersion() == null && a.fromVersion().equals(agent.runtimeVersion())
          ? new Outcome(State.ROLLED_BACK, "back on " + a.fromVersion() + "; " + agent.state().name())
          : new Outcome(a.state(), a.reason());
    }
    String target = row.targetVersion();
    if (agent.moveToVersion() != null || !target.equals(agent.runtimeVersion())) {
      return agent.moveToVersion() == null
          ? new Outcome(State.SKIPPED, "moved to " + agent.runtimeVersion() + " by something else")
          : new Outcome(a.state(), a.reason()); // not moved yet: at its next idle moment
    }
    boolean changedSinceAsked = agent.stateChangedAt() != null && !agent.stateChangedAt().isBefore(a.updatedAt());
    return switch (agent.state()) {
      case AgentState.Running r -> new Outcome(State.HEALTHY, "ready on " + target + " and answered its health probe");
      case AgentState.Crashed c when changedSinceAsked -> new Outcome(State.FAILED, "on " + target + ": " + c.reason());
      case AgentState.Failed f when changedSinceAsked -> new Outcome(State.FAILED, "on " + target + ": " + f.reason());
      case AgentState.Crashed c -> new Outcome(State.MOVED, "moved while not running; starts on it when started");
      case AgentState.Failed f -> new Outcome(State.MOVED, "moved while failed; starts on it when started");
      case AgentState.Stopped s when agent.desired() != DesiredState.RUNNING ->
          new Outcome(State.MOVED, "moved while asleep; starts on " + target + " when woken");
      default -> new Outcome(a.state(), "starting on " + target); // being started on it
    };
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Rollout view(RolloutRow r, Map<State, Integer> counts) {
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (State s : State.values()) {
      byState.put(s.json(), counts.getOrDefault(s, 0));
    }
    return new Rollout(r.id(), r.runtime(), r.targetVersion(), r.state().json(), r.reason(), r.currentBatch(),
        r.batchCount(), r.nextBatchAt(), ids(r.scopeTenants()), r.canaryPercent(), ids(r.canaryTenants()),
        r.batchSize(),
        r.pauseSeconds(), r.startedBy(), r.createdAt(), r.updatedAt(), byState);
  }

  private static List<String> ids(List<TenantId> tenants) {
    return tenants == null ? null : tenants.stream().map(TenantId::toString).toList();
  }

  private static String batchReason(RolloutRow row, int batch, int count) {
    boolean canary = batch == 0 && (row.canaryPercent() != null || row.canaryTenants() != null);
    return "batch " + (batch + 1) + " of " + count + (canary ? " (canary)" : "");
  }

  private RolloutRow find(UUID rolloutId) {
    return rollouts.find(rolloutId).orElseThrow(() -> new NotFoundException("rollout", rolloutId.toString()));
  }

  private AgentRuntime runtime(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException("runtime", "is required; one of " + runtimes.names());
    }
    return runtimes.find(name).orElseThrow(() -> new InvalidRequestException("runtime", "must be one of "
        + runtimes.names()));
  }

  private static void checkVersion(String field, String version) {
    if (version == null || version.length() > 32 || !VERSION.matcher(version).matches()) {
      throw new InvalidRequestException(field, "must be an exact version like 2026.9.6 (no ranges or tags)");
    }
  }

  private void checkTenants(String field, List<TenantId> ids) {
    if (ids == null) {
      return;
    }
    if (ids.isEmpty()) {
      throw new InvalidRequestException(field, "must name at least one tenant, or be left out");
    }
    for (TenantId id : ids) {
      if (id == null || platform(() -> tenants.status(id)).isEmpty()) {
        throw new InvalidRequestException(field, "names a tenant that does not exist: " + id);
      }
    }
  }

  /** Newest first: by numbers, a pre-release before its release. */
  private static String sortKey(String version) {
    String[] parts = version.split("-", 2);
    StringBuilder key = new StringBuilder();
    for (String n : parts[0].split("\\.")) {
      key.append(String.format("%010d", n.chars().allMatch(Character::isDigit) && n.length() < 10
          ? Long.parseLong(n) : 0));
    }
    return key.append(parts.length == 1 ? "~" : "-" + parts[1]).toString();
  }

  private <T> T inTenant(TenantId tenantId, Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }

  private <T> T platform(Supplier<T> work) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> work.get()));
  }
}
