package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.DesiredState;
import java.time.Instant;
import java.util.UUID;

/**
 * An agent as stored, including what only orchestration needs (placement, backoff, lease).
 *
 * @param moveToVersion the runtime version it is to move to at its next idle moment (a rollout's or a rollback's);
 *     null when it stays where it is
 * @param moveNote why it moves, for its events ("rollout 1a2b3c4d")
 */
record AgentRow(
    UUID id,
    TenantId tenantId,
    String name,
    String runtime,
    String runtimeVersion,
    String model,
    DesiredState desired,
    AgentState state,
    Instant stateChangedAt,
    String placementJson,
    UUID gatewayTokenSecret,
    Instant startedAt,
    Instant lastActivityAt,
    int crashCount,
    Instant nextAttemptAt,
    Instant deletedAt,
    Instant createdAt,
    String moveToVersion,
    String moveNote) {

  /** @param nextRunAt the next scheduled run Reef wakes it for, if it has one */
  Agent view(String address, Long memoryBytes, String effectiveModel, java.time.Instant nextRunAt) {
    boolean idle = state instanceof AgentState.Stopped s && s.idle();
    return new Agent(id, tenantId, name, runtime, runtimeVersion, model, desired, state, stateChangedAt, address,
        startedAt, lastActivityAt, idle, memoryBytes, createdAt, effectiveModel, nextRunAt);
  }
}
