package dev.reef.metering.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.reef.common.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The process {@link LedgerCrashLoopIT} kills at a random moment: Reef's real journal, flusher and repository on an
 * H2 file, recording from several threads without pause, as the proxy does under load. After each record returns
 * (as the proxy's answer to its client would be sent), every 10th is announced as {@code ack <thread> <seq>}, so the
 * parent knows for certain which records were acknowledged before the kill.
 *
 * <p>Arguments: H2 JDBC URL, journal root, tenant id, round, threads, flush interval in milliseconds. With a flush
 * interval of 0 it instead records 1,000 records, flushes once by hand and halts the JVM the moment the flush
 * returns (no shutdown hook, no H2 background write): the kill lands exactly between the database taking the rows
 * and its next write of its own.
 */
final class LedgerUnderLoadChild {

  private LedgerUnderLoadChild() {}

  public static void main(String[] args) throws InterruptedException {
    String url = args[0];
    Path root = Path.of(args[1]);
    TenantId tenant = TenantId.parse(args[2]);
    int round = Integer.parseInt(args[3]);
    int threads = Integer.parseInt(args[4]);
    long flushMillis = Long.parseLong(args[5]);
    HikariDataSource dataSource = LedgerCrashLoopIT.dataSource(url);
    UsageRecordRepository repository = new UsageRecordRepository(JdbcClient.create(dataSource),
        new JdbcTemplate(dataSource));
    JournalLedger ledger = new JournalLedger(new Journal(root, false, 1 << 20),
        JournalLedger.into(repository, false), root.resolve("rejected.jsonl"),
        flushMillis == 0 ? null : Duration.ofMillis(flushMillis));
    Instant at = Instant.parse("2026-03-15T12:00:00Z");
    if (flushMillis == 0) {
      for (int seq = 0; seq < 1_000; seq++) {
        ledger.record(UsageRecords.record(requestId(round, 0, seq), tenant, "agent-0", "model", at, 1_000, false));
      }
      System.out.println("flushed " + ledger.flush());
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread.ofPlatform().start(() -> {
        for (int seq = 0; ; seq++) {
          ledger.record(UsageRecords.record(requestId(round, thread, seq), tenant, "agent-" + thread, "model", at,
              1_000, false));
          if (seq % 10 == 9) {
            System.out.println("ack " + thread + " " + seq);
          }
          if (seq % 4 == 3) {
            sleepQuietly(); // about 4,000 records a second per thread: a busy proxy, with the flusher keeping up
          }
        }
      });
    }
    System.out.println("started");
    Thread.sleep(Long.MAX_VALUE);
  }

  static UUID requestId(int round, int thread, int seq) {
    return UUID.nameUUIDFromBytes(("crash-" + round + "-" + thread + "-" + seq).getBytes(StandardCharsets.UTF_8));
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
