package dev.reef.metering;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.UUID;

/**
 * One LLM request as the ledger keeps it: who, which model through which provider, what it used and cost, how long
 * it took and how it ended.
 *
 * @param requestId unique per request; recording the same id twice keeps one record
 * @param agentId the agent that made the call, or null for a call with a tenant API key
 * @param apiKeyId the tenant API key used, or null for an agent's call
 * @param endpoint e.g. {@code chat.completions}, {@code messages}, {@code embeddings}, {@code responses}
 * @param status {@code ok}, {@code error} (upstream failed), {@code cancelled} (client went away mid-response)
 * @param byok whether the tenant's own provider key was used
 * @param metered false when admitted fail-open while the meter was unreachable
 */
public record UsageRecord(
    UUID requestId,
    TenantId tenantId,
    String agentId,
    UUID apiKeyId,
    String endpoint,
    String model,
    String provider,
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long costMicros,
    long latencyMillis,
    String status,
    int httpStatus,
    boolean byok,
    boolean metered,
    Instant startedAt,
    Instant finishedAt) {}
