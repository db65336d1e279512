package dev.reef.tenancy;

import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;

/**
 * A tenant's effective limits. Every field may be null, meaning unlimited. Metering and orchestration read these;
 * they never resolve precedence themselves.
 */
public record Limits(
    BigDecimal monthlyBudgetUsd,
    Long monthlyTokens,
    Long requestsPerMinute,
    Long tokensPerMinute,
    Long maxConcurrentRequests,
    Long maxAgents,
    Long agentMemoryMb,
    Long agentCpuMillis,
    Long agentMaxProcesses,
    Long agentDiskMb,
    Long idleStopMinutes,
    Long runtimePinDays) {

  /** Builds limits from stored values (plain decimal strings, null for unlimited), keyed by name. */
  public static Limits of(Map<LimitName, String> values) {
    return new Limits(
        dec(values.get(LimitName.MONTHLY_BUDGET_USD)),
        num(values.get(LimitName.MONTHLY_TOKENS)),
        num(values.get(LimitName.REQUESTS_PER_MINUTE)),
        num(values.get(LimitName.TOKENS_PER_MINUTE)),
        num(values.get(LimitName.MAX_CONCURRENT_REQUESTS)),
        num(values.get(LimitName.MAX_AGENTS)),
        num(values.get(LimitName.AGENT_MEMORY_MB)),
        num(values.get(LimitName.AGENT_CPU_MILLIS)),
        num(values.get(LimitName.AGENT_MAX_PROCESSES)),
        num(values.get(LimitName.AGENT_DISK_MB)),
        num(values.get(LimitName.IDLE_STOP_MINUTES)),
        num(values.get(LimitName.RUNTIME_PIN_DAYS)));
  }

  /** The value of one limit, as the API shows it (a number, or null for unlimited). */
  public Object get(LimitName name) {
    return switch (name) {
      case MONTHLY_BUDGET_USD -> monthlyBudgetUsd;
      case MONTHLY_TOKENS -> monthlyTokens;
      case REQUESTS_PER_MINUTE -> requestsPerMinute;
      case TOKENS_PER_MINUTE -> tokensPerMinute;
      case MAX_CONCURRENT_REQUESTS -> maxConcurrentRequests;
      case MAX_AGENTS -> maxAgents;
      case AGENT_MEMORY_MB -> agentMemoryMb;
      case AGENT_CPU_MILLIS -> agentCpuMillis;
      case AGENT_MAX_PROCESSES -> agentMaxProcesses;
      case AGENT_DISK_MB -> agentDiskMb;
      case IDLE_STOP_MINUTES -> idleStopMinutes;
      case RUNTIME_PIN_DAYS -> runtimePinDays;
    };
  }

  public Map<LimitName, Object> asMap() {
    Map<LimitName, Object> map = new EnumMap<>(LimitName.class);
    for (LimitName name : LimitName.values()) {
      map.put(name, get(name));
    }
    return map;
  }

  private static BigDecimal dec(String s) {
    return s == null ? null : new BigDecimal(s);
  }

  private static Long num(String s) {
    return s == null ? null : Long.valueOf(s);
  }
}
