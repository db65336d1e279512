package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.testing.ReefIT;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The ledger's promise: once {@code record} returns, the record survives a {@code kill -9}. A child JVM records
 * through the real journal and is killed with SIGKILL before any flush; a new ledger on the same directory (as at
 * the next start) must replay every record into the database, and a second replay must add nothing.
 */
@Tag("database-matrix")
class LedgerKillIT extends ReefIT {

  private static final int N = 2_000;

  @Autowired
  UsageRecordRepository repository;

  @TempDir
  Path root;

  @Test
  void recordsOfAProcessKilledWithSigkill_areReplayedIntoTheDatabase() throws Exception {
    TenantId tenant = TenantId.random();
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LedgerChildProcess.class.getName(), root.toString(), tenant.toString(), Integer.toString(N))
        .redirectErrorStream(true).start();
    try {
      String said = CompletableFuture.supplyAsync(() -> firstLineStartingWith(child, "recorded"))
          .get(60, TimeUnit.SECONDS);
      System.out.println("child: " + said);
      assertThat(said).startsWith("recorded " + N);
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    assertThat(count(tenant)).isZero();

    new JournalLedger(new Journal(root, false, 1 << 20), JournalLedger.into(repository, false),
        root.resolve("rejected.jsonl"), null).close();
    assertThat(count(tenant)).isEqualTo(N);
    assertThat(groups(tenant, UsageRecordRepository.GroupBy.MODEL)).extracting(UsageRecordRepository.GroupRow::key)
        .containsExactly("model-0", "model-1");

    try (JournalLedger again = new JournalLedger(new Journal(root, false, 1 << 20), JournalLedger.into(repository, false),
        root.resolve("rejected.jsonl"), null)) {
      again.record(UsageRecords.record(LedgerChildProcess.requestId(0), tenant, "agent-0", "model-0",
          Instant.parse("2026-03-15T12:00:00Z"), 1_000, false));
      again.flush();
    }
    assertThat(count(tenant)).as("a request id is stored once").isEqualTo(N);
    try (var left = Files.list(root)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList()).isEmpty();
    }
  }

  private long count(TenantId tenant) {
    return groups(tenant, UsageRecordRepository.GroupBy.DAY).stream()
        .mapToLong(UsageRecordRepository.GroupRow::requests).sum();
  }

  private List<UsageRecordRepository.GroupRow> groups(TenantId tenant, UsageRecordRepository.GroupBy groupBy) {
    return DataScope.callAs(tenant, () -> repository.groups(tenant, Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2027-01-01T00:00:00Z"), groupBy));
  }

  private static String firstLineStartingWith(Process process, String prefix) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(prefix)) {
          return line;
        }
        System.out.println("child: " + line);
      }
      return "(the child exited without saying " + prefix + ")";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
