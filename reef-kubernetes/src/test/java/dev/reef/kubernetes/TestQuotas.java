package dev.reef.kubernetes;

import dev.reef.orchestration.TenantQuota;

/** Tenants' quotas as tests give them to the driver. */
final class TestQuotas {

  static final TenantQuota DEFAULT = quota(2L, 512L, 1000L);

  private TestQuotas() {}

  static TenantQuota quota(Long maxAgents, Long memoryMb, Long cpuMillis) {
    return new TenantQuota(maxAgents, memoryMb, cpuMillis);
  }
}
