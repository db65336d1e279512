package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * The process {@link LedgerKillIT} kills: records N usage records through the real journal (no database: its
 * flusher never runs), says "recorded", and waits to be killed with SIGKILL.
 *
 * <p>Arguments: journal root, tenant id, N.
 */
final class LedgerChildProcess {

  private LedgerChildProcess() {}

  public static void main(String[] args) throws InterruptedException {
    Path root = Path.of(args[0]);
    TenantId tenant = TenantId.parse(args[1]);
    int n = Integer.parseInt(args[2]);
    JournalLedger ledger = new JournalLedger(new Journal(root, false, 1 << 20), new LedgerDatabase() {
      @Override
      public void insert(java.util.List<dev.reef.metering.UsageRecord> batch) {
        throw new IllegalStateException("the child has no database");
      }

      @Override
      public void makeDurable() {
        throw new IllegalStateException("the child has no database");
      }
    }, root.resolve("rejected.jsonl"), null);
    Instant at = Instant.parse("2026-03-15T12:00:00Z");
    long started = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ledger.record(UsageRecords.record(requestId(i), tenant, "agent-" + (i % 3), "model-" + (i % 2), at, 1_000, false));
    }
    long micros = (System.nanoTime() - started) / 1_000;
    System.out.println("recorded " + n + " in " + micros + " us");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  static UUID requestId(int i) {
    return UUID.nameUUIDFromBytes(("kill-test-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
