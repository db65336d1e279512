package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import dev.reef.metering.UsageRecord;
import java.time.Instant;
import java.util.UUID;

/** Usage records for tests. */
final class UsageRecords {

  private UsageRecords() {}

  static UsageRecord record(TenantId tenantId, String agentId, String model, Instant startedAt, long costMicros) {
    return record(UUID.randomUUID(), tenantId, agentId, model, startedAt, costMicros, false);
  }

  static UsageRecord record(UUID requestId, TenantId tenantId, String agentId, String model, Instant startedAt,
      long costMicros, boolean byok) {
    return new UsageRecord(requestId, tenantId, agentId, null, "chat.completions", model, "openai", 100, 20, 30,
        costMicros, 850, "ok", 200, byok, true, startedAt, startedAt.plusMillis(850));
  }
}
