package dev.reef.orchestration;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runtime versions moved centrally, for the API and the dashboard: the operator installs a version into the shared
 * cache and rolls it out to agents in batches (a canary first), each batch health-checked and rolled back
 * automatically when it fails; a tenant whose plan allows it ({@code runtimePinDays}) holds its agents on a version
 * for a while. Callers check access first: everything but the pins is the operator's.
 */
public interface RuntimeRollouts {

  /** Every runtime with its versions; {@code withAvailable}: also ask its registry what could be installed. */
  List<RuntimeInfo> runtimes(boolean withAvailable);

  /** Starts installing {@code version} into the shared cache (in the background; progress in {@link #runtimes}). */
  VersionInfo install(String runtime, String version, Actor actor);

  Rollout start(RolloutRequest request, Actor actor);

  /** The newest first. */
  List<Rollout> list();

  Rollout get(UUID rolloutId);

  /** Each agent the rollout covers, by batch. */
  List<RolloutAgentStatus> agents(UUID rolloutId);

  /** No new moves until resumed; moves under way finish (and are checked). */
  Rollout pause(UUID rolloutId, Actor actor);

  Rollout resume(UUID rolloutId, Actor actor);

  /** Ends it: agents already moved stay, the others are not moved. */
  Rollout cancel(UUID rolloutId, Actor actor);

  List<Pin> pins(TenantId tenantId);

  /**
   * Holds the tenant's agents of {@code runtime} on {@code version} (those on another version move to it at their next
   * idle moment) for {@code days} (at most, and by default, the plan's {@code runtimePinDays}).
   */
  Pin pin(TenantId tenantId, String runtime, String version, Integer days, Actor actor);

  void unpin(TenantId tenantId, String runtime, Actor actor);

  /**
   * @param currentVersion what new agents get (the last rollout to every tenant's target, else
   *     {@code configuredVersion})
   * @param installsLocally false when agents' runtimes come in images (kubernetes): nothing to install
   * @param available versions its registry offers, newest first; empty unless asked for, or when it cannot be reached
   */
  record RuntimeInfo(String name, String currentVersion, String configuredVersion, boolean installsLocally,
      List<VersionInfo> versions, List<String> available) {}

  /**
   * @param install {@code installed}, {@code installing} or {@code failed} (a failure's reason in {@code detail}), or
   *     {@code none} for a version only agents use (on a driver without local installs)
   * @param detail the install's last progress line, or why it failed
   */
  record VersionInfo(String version, String install, String detail, long agents) {}

  /**
   * What the operator asks for.
   *
   * @param tenants only these tenants' agents; null for every tenant
   * @param canaryPercent the first batch is this share of the agents (running ones first); or
   * @param canaryTenants the first batch is these tenants' agents; neither: no canary
   * @param batchSize agents per batch after the canary (default 10)
   * @param pauseSeconds wait after a healthy batch before the next (default 60)
   */
  record RolloutRequest(String runtime, String targetVersion, List<TenantId> tenants, Integer canaryPercent,
      List<TenantId> canaryTenants, Integer batchSize, Integer pauseSeconds) {}

  /**
   * @param state running, paused, completed, failed or cancelled
   * @param currentBatch the batch being moved, from 0 (the canary when there is one); -1 before agents are chosen
   * @param agents how many of its agents are in each state (waiting, moving, healthy, moved, failed, rolling_back,
   *     rolled_back, held, gone, skipped)
   */
  record Rollout(UUID id, String runtime, String targetVersion, String state, String reason, int currentBatch,
      int batchCount, Instant nextBatchAt, List<String> tenants, Integer canaryPercent, List<String> canaryTenants,
      int batchSize, int pauseSeconds, String startedBy, Instant createdAt, Instant updatedAt,
      Map<String, Integer> agents) {

    public int total() {
      return agents.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int count(String state) {
      return agents.getOrDefault(state, 0);
    }
  }

  record RolloutAgentStatus(UUID agentId, String tenantId, int batch, String fromVersion, String state,
      String reason, Instant updatedAt) {}

  record Pin(String runtime, String version, Instant until) {}
}
