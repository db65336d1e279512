package dev.reef.kubernetes;

import dev.reef.common.TenantId;
import dev.reef.tenancy.Limits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Tenants' effective limits as a test sets them; a tenant it has not set gets {@link #DEFAULT}. */
final class TestLimits implements Function<TenantId, Limits> {

  static final Limits DEFAULT = limits(2L, 512L, 1000L);

  private final Map<TenantId, Limits> limits = new ConcurrentHashMap<>();

  static Limits limits(Long maxAgents, Long memoryMb, Long cpuMillis) {
    return new Limits(null, null, null, null, null, maxAgents, memoryMb, cpuMillis, null, null, 30L);
  }

  TestLimits set(TenantId tenantId, Limits value) {
    limits.put(tenantId, value);
    return this;
  }

  @Override
  public Limits apply(TenantId tenantId) {
    return limits.getOrDefault(tenantId, DEFAULT);
  }
}
