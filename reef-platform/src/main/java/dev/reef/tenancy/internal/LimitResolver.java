package dev.reef.tenancy.internal;

import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.platform.ReefProperties;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.LimitName;
import dev.reef.tenancy.LimitSource;
import dev.reef.tenancy.Limits;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tenant override, else plan, else platform default: the only code that knows this order. */
@Service
@Transactional(readOnly = true)
class LimitResolver implements EffectiveLimits {

  private final TenantRepository tenants;
  private final LimitRepository limits;
  private final Map<LimitName, String> platformDefaults;

  LimitResolver(TenantRepository tenants, LimitRepository limits, ReefProperties properties) {
    this.tenants = tenants;
    this.limits = limits;
    this.platformDefaults = platformDefaults(properties.limits().defaults());
  }

  @Override
  public Limits of(TenantId tenantId) {
    return explain(tenantId).effective();
  }

  @Override
  public Resolution explain(TenantId tenantId) {
    String planId = tenants.find(tenantId).orElseThrow(() -> new NotFoundException("tenant", tenantId.toString()))
        .planId();
    Map<LimitName, String> overrides = limits.overrides(tenantId);
    Map<LimitName, String> plan = limits.planLimits(planId);
    Map<LimitName, String> effective = new EnumMap<>(LimitName.class);
    Map<LimitName, LimitSource> sources = new EnumMap<>(LimitName.class);
    for (LimitName name : LimitName.values()) {
      if (overrides.containsKey(name)) {
        effective.put(name, overrides.get(name));
        sources.put(name, LimitSource.TENANT);
      } else if (plan.containsKey(name)) {
        effective.put(name, plan.get(name));
        sources.put(name, LimitSource.PLAN);
      } else {
        effective.put(name, platformDefaults.get(name));
        sources.put(name, LimitSource.PLATFORM);
      }
    }
    return new Resolution(planId, Limits.of(effective), sources, overrides);
  }

  Map<LimitName, String> platformDefaults() {
    return platformDefaults;
  }

  private static Map<LimitName, String> platformDefaults(ReefProperties.LimitDefaults d) {
    Map<LimitName, String> values = new EnumMap<>(LimitName.class);
    values.put(LimitName.MONTHLY_BUDGET_USD, d.monthlyBudgetUsd() == null ? null
        : LimitName.MONTHLY_BUDGET_USD.normalize(d.monthlyBudgetUsd()));
    values.put(LimitName.MONTHLY_TOKENS, normalize(LimitName.MONTHLY_TOKENS, d.monthlyTokens()));
    values.put(LimitName.REQUESTS_PER_MINUTE, normalize(LimitName.REQUESTS_PER_MINUTE, d.requestsPerMinute()));
    values.put(LimitName.TOKENS_PER_MINUTE, normalize(LimitName.TOKENS_PER_MINUTE, d.tokensPerMinute()));
    values.put(LimitName.MAX_CONCURRENT_REQUESTS,
        normalize(LimitName.MAX_CONCURRENT_REQUESTS, d.maxConcurrentRequests()));
    values.put(LimitName.MAX_AGENTS, normalize(LimitName.MAX_AGENTS, d.maxAgents()));
    values.put(LimitName.AGENT_MEMORY_MB, normalize(LimitName.AGENT_MEMORY_MB, d.agentMemoryMb()));
    values.put(LimitName.AGENT_CPU_MILLIS, normalize(LimitName.AGENT_CPU_MILLIS, d.agentCpuMillis()));
    values.put(LimitName.AGENT_MAX_PROCESSES, normalize(LimitName.AGENT_MAX_PROCESSES, d.agentMaxProcesses()));
    values.put(LimitName.AGENT_DISK_MB, normalize(LimitName.AGENT_DISK_MB, d.agentDiskMb()));
    values.put(LimitName.IDLE_STOP_MINUTES, normalize(LimitName.IDLE_STOP_MINUTES, d.idleStopMinutes()));
    values.put(LimitName.RUNTIME_PIN_DAYS, normalize(LimitName.RUNTIME_PIN_DAYS, d.runtimePinDays()));
    return values;
  }

  private static String normalize(LimitName name, Number value) {
    return value == null ? null : name.normalize(new BigDecimal(value.toString()));
  }
}
