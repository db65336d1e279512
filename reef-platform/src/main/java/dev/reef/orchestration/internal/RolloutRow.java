package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One runtime rollout as stored.
 *
 * @param scopeTenants the only tenants it covers; null for every tenant (only such a rollout changes the version
 *     new agents get)
 * @param canaryPercent the first batch is this share of the agents (running ones first), or
 * @param canaryTenants the first batch is these tenants' agents; both null: no canary, batches of
 *     {@code batchSize} from the start
 * @param currentBatch the batch being moved; -1 before the agents are chosen
 * @param nextBatchAt the current batch starts no earlier than this (the pause after a healthy batch)
 */
record RolloutRow(UUID id, String runtime, String targetVersion, List<TenantId> scopeTenants, Integer canaryPercent,
    List<TenantId> canaryTenants, int batchSize, int pauseSeconds, State state, String reason, int currentBatch,
    int batchCount, Instant nextBatchAt, String startedBy, Instant createdAt, Instant updatedAt) {

  enum State {
    RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED;

    String json() {
      return name().toLowerCase();
    }

    static State of(String json) {
      return valueOf(json.toUpperCase());
    }

    boolean active() {
      return this == RUNNING || this == PAUSED;
    }
  }

  /** The first eight characters of the id: how notes and events name it. */
  String shortId() {
    return id.toString().substring(0, 8);
  }
}
