package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.UUID;

/** One agent a rollout covers: the batch it moves in, the version it came from, and how its move went. */
record RolloutAgent(UUID agentId, TenantId tenantId, int batch, String fromVersion, State state, String reason,
    Instant updatedAt) {

  enum State {
    /** Its batch has not come yet. */
    WAITING,
    /** Asked to move; it does at its next idle moment. */
    MOVING,
    /** Moved while running, came back ready and answered its health probe. */
    HEALTHY,
    /** Moved while stopped: it starts on the new version when it is next started or woken. */
    MOVED,
    /** Did not come back healthy on the new version; its batch is rolled back. */
    FAILED,
    /** Being moved back to the version it came from. */
    ROLLING_BACK,
    /** Back on the version it came from. */
    ROLLED_BACK,
    /** Its tenant has pinned the runtime: the rollout passes it by. */
    HELD,
    /** Deleted, or no longer on this runtime, before it moved. */
    GONE,
    /** Never moved: the rollout was cancelled or failed first. */
    SKIPPED;

    String json() {
      return name().toLowerCase();
    }

    static State of(String json) {
      return valueOf(json.toUpperCase());
    }

    /** Whether this agent's part in its batch is over. */
    boolean settled() {
      return this != WAITING && this != MOVING && this != ROLLING_BACK;
    }
  }
}
