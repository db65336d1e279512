package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.util.UUID;

/**
 * What a driver needs to place an agent.
 *
 * @param runtime and {@code runtimeVersion}: what the agent runs, e.g. {@code openclaw} {@code 2026.9.6}; a driver
 *     whose runtimes come in an image (kubernetes) picks the image by them
 * @param memoryMb the memory limit (the tenant's {@code agentMemoryMb}), passed to the runtime and enforced where
 *     the platform allows
 * @param cpuMillis the CPU limit (the tenant's {@code agentCpuMillis}), where the platform allows
 * @param port the port the agent listens on inside its placement, or 0 to let the driver choose one per agent (see
 *     {@link Placement#listenPort()})
 * @param maxProcesses the most processes and threads the agent may have at once (the tenant's
 *     {@code agentMaxProcesses}), where the platform allows; 0 for no limit
 * @param diskMb the most its own files may take (the tenant's {@code agentDiskMb}), where the platform allows; 0 for
 *     no limit
 */
public record AgentSpec(TenantId tenantId, UUID agentId, String name, String runtime, String runtimeVersion,
    long memoryMb, long cpuMillis, int port, long maxProcesses, long diskMb) {

  /** No process or disk limit. */
  public AgentSpec(TenantId tenantId, UUID agentId, String name, String runtime, String runtimeVersion,
      long memoryMb, long cpuMillis, int port) {
    this(tenantId, agentId, name, runtime, runtimeVersion, memoryMb, cpuMillis, port, 0, 0);
  }
}
