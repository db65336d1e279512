package dev.reef.tenancy;

import dev.reef.common.InvalidRequestException;
import java.math.BigDecimal;

/**
 * The limits a plan or the operator can set, by their fixed API names. Each knows its value type and smallest
 * allowed value; {@code null} means unlimited.
 */
public enum LimitName {
  MONTHLY_BUDGET_USD("monthlyBudgetUsd", Kind.DECIMAL, 0),
  MONTHLY_TOKENS("monthlyTokens", Kind.INTEGER, 0),
  REQUESTS_PER_MINUTE("requestsPerMinute", Kind.INTEGER, 0),
  TOKENS_PER_MINUTE("tokensPerMinute", Kind.INTEGER, 0),
  MAX_CONCURRENT_REQUESTS("maxConcurrentRequests", Kind.INTEGER, 0),
  MAX_AGENTS("maxAgents", Kind.INTEGER, 0),
  AGENT_MEMORY_MB("agentMemoryMb", Kind.INTEGER, 64),
  AGENT_CPU_MILLIS("agentCpuMillis", Kind.INTEGER, 10),
  AGENT_MAX_PROCESSES("agentMaxProcesses", Kind.INTEGER, 16),
  AGENT_DISK_MB("agentDiskMb", Kind.INTEGER, 64),
  IDLE_STOP_MINUTES("idleStopMinutes", Kind.INTEGER, 1),
  /** How many days a tenant may hold its agents on a runtime version while rollouts pass them by; 0: not at all. */
  RUNTIME_PIN_DAYS("runtimePinDays", Kind.INTEGER, 0);

  enum Kind { INTEGER, DECIMAL }

  private final String json;
  private final Kind kind;
  private final long minimum;

  LimitName(String json, Kind kind, long minimum) {
    this.json = json;
    this.kind = kind;
    this.minimum = minimum;
  }

  public String json() {
    return json;
  }

  public static LimitName fromJson(String name) {
    for (LimitName l : values()) {
      if (l.json.equals(name)) {
        return l;
      }
    }
    throw new InvalidRequestException(name, "is not a limit; limits are " + names());
  }

  public static String names() {
    StringBuilder sb = new StringBuilder();
    for (LimitName l : values()) {
      sb.append(sb.isEmpty() ? "" : ", ").append(l.json);
    }
    return sb.toString();
  }

  /** Checks and normalises a value (given as a number), as stored: a plain decimal string. Null stays null. */
  public String normalize(BigDecimal value) {
    if (value == null) {
      return null;
    }
    if (value.compareTo(BigDecimal.valueOf(minimum)) < 0) {
      throw new InvalidRequestException(json, "must be at least " + minimum + ", or null for unlimited");
    }
    if (kind == Kind.INTEGER) {
      if (value.stripTrailingZeros().scale() > 0) {
        throw new InvalidRequestException(json, "must be a whole number");
      }
      if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw new InvalidRequestException(json, "is too large");
      }
      return value.toBigIntegerExact().toString();
    }
    if (value.scale() > 6 || value.precision() - value.scale() > 12) {
      throw new InvalidRequestException(json, "must have at most 12 digits before and 6 after the decimal point");
    }
    return value.stripTrailingZeros().toPlainString();
  }

  public boolean decimal() {
    return kind == Kind.DECIMAL;
  }
}
