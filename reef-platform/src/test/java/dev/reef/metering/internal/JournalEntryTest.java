package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.TenantId;
import dev.reef.metering.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JournalEntryTest {

  private static final JsonMapper BINDER = JsonMapper.builder().build();
  private final Instant at = Instant.parse("2026-11-28T05:00:00.123456789Z");

  @Test
  void theStreamedLine_isExactlyWhatTheDataBinderWritesForTheRecord() {
    UsageRecord full = new UsageRecord(UUID.randomUUID(), TenantId.random(), "agent-\"1\"", UUID.randomUUID(),
        "chat.completions", "mödel \\ with \"quotes\"\n", "prov", 11, 7, 3, 25, 12, "ok", 200, true, true, at,
        at.plusMillis(12));
    UsageRecord sparse = new UsageRecord(UUID.randomUUID(), TenantId.random(), null, null, "embeddings", "m", null,
        0, 0, 0, 0, 0, "error", 502, false, false, at, at);
    for (UsageRecord record : new UsageRecord[] {full, sparse}) {
      JournalEntry entry = JournalEntry.of(record);
      assertThat(new String(entry.toLine(), StandardCharsets.UTF_8))
          .isEqualTo(new String(BINDER.writeValueAsBytes(entry), StandardCharsets.UTF_8));
      assertThat(JournalEntry.parse(new String(entry.toLine(), StandardCharsets.UTF_8)).toRecord()).isEqualTo(record);
    }
  }
}
