package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's agent as the API and dashboard show it.
 *
 * @param model the model it uses, or null for the operator's default
 * @param address where Reef reaches it (internal; shown to the tenant for diagnosis only)
 * @param idle whether it was stopped for idleness (the next chat wakes it)
 * @param memoryBytes memory in use while running, as its driver measures it; null when not running or unknown
 * @param effectiveModel the model it uses: {@code model}, or the default its tenant's plan gives it; null when the
 *     plan allows none
 * @param nextRunAt for a stopped agent, the next run it has scheduled for itself that Reef wakes it for (shortly
 *     before); null when none is known, and while it runs (its schedule is {@code …/schedule})
 */
public record Agent(
    UUID id,
    TenantId tenantId,
    String name,
    String runtime,
    String runtimeVersion,
    String model,
    DesiredState desired,
    AgentState state,
    Instant stateChangedAt,
    String address,
    Instant startedAt,
    Instant lastActivityAt,
    boolean idle,
    Long memoryBytes,
    Instant createdAt,
    String effectiveModel,
    Instant nextRunAt) {}
