package dev.reef.orchestration;

/**
 * What one tenant's agents may use together, for a driver that enforces it per tenant too (the Kubernetes driver's
 * namespace quota and limit range), resolved by the orchestration from the tenant's effective limits; null is
 * unlimited. Drivers see this, never the tenancy module's limits.
 *
 * @param maxAgents how many agents the tenant may have
 * @param agentMemoryMb each agent's memory
 * @param agentCpuMillis each agent's CPU, in thousandths of a core
 */
public record TenantQuota(Long maxAgents, Long agentMemoryMb, Long agentCpuMillis) {

  public static final TenantQuota UNLIMITED = new TenantQuota(null, null, null);
}
