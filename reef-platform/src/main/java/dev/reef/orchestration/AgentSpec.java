package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.util.UUID;

/**
 * What a driver needs to place an agent.
 *
 * @param memoryMb the memory limit (the tenant's {@code agentMemoryMb}), passed to the runtime and enforced where
 *     the platform allows
 * @param cpuMillis the CPU limit (the tenant's {@code agentCpuMillis}), where the platform allows
 * @param port the port the agent listens on inside its placement, or 0 to let the driver choose one per agent (see
 *     {@link Placement#listenPort()})
 */
public record AgentSpec(TenantId tenantId, UUID agentId, String name, String runtime, long memoryMb, long cpuMillis,
    int port) {}
