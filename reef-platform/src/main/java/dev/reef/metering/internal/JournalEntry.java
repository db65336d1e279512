package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import dev.reef.metering.UsageRecord;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link UsageRecord} as one journal line: flat JSON with ISO-8601 times, readable by a person inspecting a
 * journal and tolerant of fields added by a later version (replay may cross an upgrade).
 */
record JournalEntry(
    UUID requestId,
    UUID tenantId,
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
    Instant finishedAt) {

  private static final JsonMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  static JournalEntry of(UsageRecord r) {
    return new JournalEntry(r.requestId(), r.tenantId().value(), r.agentId(), r.apiKeyId(), r.endpoint(), r.model(),
        r.provider(), r.inputTokens(), r.outputTokens(), r.cachedInputTokens(), r.costMicros(), r.latencyMillis(),
        r.status(), r.httpStatus(), r.byok(), r.metered(), r.startedAt(), r.finishedAt());
  }

  UsageRecord toRecord() {
    return new UsageRecord(requestId, new TenantId(tenantId), agentId, apiKeyId, endpoint, model, provider,
        inputTokens, outputTokens, cachedInputTokens, costMicros, latencyMillis, status, httpStatus, byok, metered,
        startedAt, finishedAt);
  }

  byte[] toLine() {
    return JSON.writeValueAsBytes(this);
  }

  static JournalEntry parse(String line) {
    return JSON.readValue(line, JournalEntry.class);
  }
}
