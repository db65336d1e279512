package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.TenantId;
import dev.reef.metering.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessResourceFailureException;

class JournalLedgerTest {

  @TempDir
  Path root;

  private final TenantId tenant = TenantId.random();
  private final Instant at = Instant.parse("2026-11-15T10:00:00Z");
  /** The "database"'s durable rows: idempotent on the request id, like usage_records. */
  private final Map<UUID, UsageRecord> table = new ConcurrentHashMap<>();
  /** Rows inserted but not yet durable, which the death of the process would lose (as H2's are, for a second). */
  private final Map<UUID, UsageRecord> unsaved = new ConcurrentHashMap<>();
  private volatile boolean databaseDown;
  private volatile boolean diesBeforeDurable;
  private final LedgerDatabase database = new LedgerDatabase() {
    @Override
    public void insert(List<UsageRecord> batch) {
      if (databaseDown) {
        throw new DataAccessResourceFailureException("connection refused");
      }
      if (batch.stream().anyMatch(r -> "poison".equals(r.model()))) {
        throw new DataIntegrityViolationException("value too long");
      }
      batch.stream().filter(r -> !table.containsKey(r.requestId()))
          .forEach(r -> unsaved.putIfAbsent(r.requestId(), r));
    }

    @Override
    public void makeDurable() {
      if (diesBeforeDurable) {
        throw new IllegalStateException("the process is killed before the rows are written");
      }
      table.putAll(unsaved);
      unsaved.clear();
    }
  };

  /** A database whose every insert is durable at once. */
  private static LedgerDatabase durable(Map<UUID, UsageRecord> rows) {
    return new LedgerDatabase() {
      @Override
      public void insert(List<UsageRecord> batch) {
        batch.forEach(r -> rows.putIfAbsent(r.requestId(), r));
      }

      @Override
      public void makeDurable() {}
    };
  }

  private JournalLedger ledger() {
    return new JournalLedger(new Journal(root, false, 1 << 20), database, root.resolve("rejected.jsonl"), null);
  }

  @Test
  void record_thenFlush_movesRecordsIntoTheDatabase_andDeletesTheSegment() {
    try (JournalLedger ledger = ledger()) {
      UsageRecord record = UsageRecords.record(tenant, "agent-1", "gpt-x", at, 1_234);
      ledger.record(record);
      assertThat(table).isEmpty();

      assertThat(ledger.flush()).isEqualTo(1);
      assertThat(table).containsEntry(record.requestId(), record);
      assertThat(ledger.flush()).isZero();
    }
  }

  @Test
  void recordsHeldInMemory_reachTheDatabaseExactlyAsRecordsReadBackFromTheJournal() {
    Map<UUID, UsageRecord> readBack = new ConcurrentHashMap<>();
    List<UsageRecord> records = List.of(UsageRecords.record(tenant, "agent-1", "gpt-x", at, 1_234),
        UsageRecords.record(tenant, null, "claude-y", at.plusSeconds(1), 0),
        UsageRecords.record(TenantId.random(), "agent-2", "emb", at.plusNanos(123_456_789), 77));
    try (JournalLedger fromMemory = ledger();
        JournalLedger fromFile = new JournalLedger(new Journal(root.resolve("other"), false, 1 << 20),
            durable(readBack), root.resolve("r2.jsonl"), null, 0)) {
      records.forEach(fromMemory::record);
      records.forEach(fromFile::record);
      assertThat(fromMemory.flush()).isEqualTo(3);
      assertThat(fromFile.flush()).isEqualTo(3);
    }
    assertThat(table).isEqualTo(readBack).hasSize(3);
  }

  @Test
  void overTheMemoryCap_laterSegmentsAreReadBack_andNothingIsLostOrDoubled() {
    try (JournalLedger ledger = new JournalLedger(new Journal(root, false, 1 << 20), database,
        root.resolve("rejected.jsonl"), null, 1)) {
      ledger.record(UsageRecords.record(tenant, null, "m", at, 1));
      ledger.record(UsageRecords.record(tenant, null, "m", at, 2));
      databaseDown = true;
      assertThatThrownBy(ledger::flush).isInstanceOf(DataAccessResourceFailureException.class);
      ledger.record(UsageRecords.record(tenant, null, "m", at, 3)); // a new segment, over the cap: file only

      databaseDown = false;
      assertThat(ledger.flush()).isEqualTo(3);
      assertThat(table).hasSize(3);
      ledger.record(UsageRecords.record(tenant, null, "m", at, 4)); // under the cap again
      assertThat(ledger.flush()).isEqualTo(1);
      assertThat(table).hasSize(4);
    }
  }

  @Test
  void databaseDown_keepsTheJournal_andALaterFlushMovesIt() {
    try (JournalLedger ledger = ledger()) {
      ledger.record(UsageRecords.record(tenant, null, "m", at, 1));
      databaseDown = true;
      assertThatThrownBy(ledger::flush).isInstanceOf(DataAccessResourceFailureException.class);
      ledger.record(UsageRecords.record(tenant, null, "m", at, 2));

      databaseDown = false;
      assertThat(ledger.flush()).isEqualTo(2);
      assertThat(table).hasSize(2);
    }
  }

  @Test
  void recordTheDatabaseRefuses_isSetAside_andDoesNotBlockTheOthers() throws Exception {
    try (JournalLedger ledger = ledger()) {
      ledger.record(UsageRecords.record(tenant, null, "good", at, 1));
      ledger.record(UsageRecords.record(tenant, null, "poison", at, 2));
      ledger.record(UsageRecords.record(tenant, null, "also-good", at, 3));

      ledger.flush();
      assertThat(table.values()).extracting(UsageRecord::model).containsExactlyInAnyOrder("good", "also-good");
      assertThat(Files.readString(root.resolve("rejected.jsonl"))).contains("\"poison\"");
    }
  }

  @Test
  void newLedger_replaysWhatAnEarlierRunLeft_beforeItIsUsed_withoutDuplicates() {
    JournalLedger earlier = ledger();
    List<UsageRecord> records = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      UsageRecord r = UsageRecords.record(tenant, null, "m", at, i);
      records.add(r);
      earlier.record(r);
    }
    databaseDown = true;
    earlier.close(); // its last flush fails: the journal stays for the next start
    table.put(records.getFirst().requestId(), records.getFirst()); // as if flushed before a crash, not deleted
    databaseDown = false;

    try (JournalLedger next = ledger()) {
      assertThat(table).hasSize(3);
      assertThat(next.flush()).isZero();
    }
    try (var dirs = Files.list(root)) {
      assertThat(dirs.filter(Files::isDirectory)).as("replayed journals are removed").isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aSegment_isDeletedOnlyOnceTheDatabaseHoldsItsRowsDurably() {
    JournalLedger dying = ledger();
    for (int i = 0; i < 3; i++) {
      dying.record(UsageRecords.record(tenant, null, "m", at, i));
    }
    diesBeforeDurable = true;
    assertThatThrownBy(dying::flush).isInstanceOf(IllegalStateException.class);
    dying.close(); // its last flush dies the same way
    unsaved.clear(); // the process is gone, and with it what the database had not yet written
    assertThat(table).isEmpty();
    diesBeforeDurable = false;

    try (JournalLedger next = ledger()) {
      assertThat(table).as("replayed from the segment that was kept").hasSize(3);
    }
  }

  @Test
  void record_refusesARecordThatCouldNeverBeStored() {
    try (JournalLedger ledger = ledger()) {
      UsageRecord noTenant = new UsageRecord(UUID.randomUUID(), null, null, null, "e", "m", "p", 0, 0, 0, 0, 0, "ok",
          200, false, true, at, at);
      assertThatThrownBy(() -> ledger.record(noTenant)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void journalEntry_roundTripsARecord() {
    UsageRecord record = UsageRecords.record(tenant, "agent", "model \"quoted\"", at, 42);
    assertThat(JournalEntry.parse(new String(JournalEntry.of(record).toLine())).toRecord()).isEqualTo(record);
  }
}
