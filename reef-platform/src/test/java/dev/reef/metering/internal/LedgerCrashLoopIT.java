package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.reef.common.TenantId;
import dev.reef.platform.internal.DatabaseEnvironmentPostProcessor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The embedded ledger's promise under load: a usage record acknowledged before a {@code kill -9} is in the database
 * after the next start, wherever the kill lands (while recording, inserting, making rows durable or deleting a
 * segment). Each round starts {@link LedgerUnderLoadChild} on the same H2 file and journal, kills it with SIGKILL
 * at a random moment, replays its journal as the next start would, and checks every acknowledged record.
 *
 * <p>Rounds: {@code -Dreef.test.crashRounds} (default 8, about a minute; raise it to hunt for rarer windows).
 */
class LedgerCrashLoopIT {

  private static final int THREADS = 4;
  private static final long FLUSH_MILLIS = 50;

  @TempDir
  Path dir;

  @Test
  void acknowledgedRecords_surviveSigkillAtRandomMoments_underLoad() throws Exception {
    String url = migratedDatabase();
    Path journal = dir.resolve("ledger");
    int rounds = Integer.getInteger("reef.test.crashRounds", 8);
    TenantId tenant = TenantId.random();
    List<String> lost = new ArrayList<>();
    long acknowledged = 0;
    for (int round = 0; round < rounds; round++) {
      Map<Integer, Integer> lastAcknowledged = killAtRandom(url, journal, tenant, round);
      Set<UUID> stored = replayAndRead(url, journal, tenant);
      int missing = 0;
      for (var thread : lastAcknowledged.entrySet()) {
        for (int seq = 0; seq <= thread.getValue(); seq++) {
          acknowledged++;
          if (!stored.contains(LedgerUnderLoadChild.requestId(round, thread.getKey(), seq))) {
            missing++;
          }
        }
      }
      System.out.printf("round %d: acknowledged up to %s, %d stored in all, %d missing%n", round, lastAcknowledged,
          stored.size(), missing);
      if (missing > 0) {
        lost.add("round " + round + ": " + missing);
      }
    }
    assertThat(acknowledged).as("the child recorded under load before each kill").isGreaterThan(rounds * 100L);
    assertThat(lost).as("acknowledged records missing after kill -9 and replay").isEmpty();
  }

  @Test
  void killedTheMomentAFlushReturns_losesNothingItFlushed() throws Exception {
    String url = migratedDatabase();
    Path journal = dir.resolve("ledger");
    TenantId tenant = TenantId.random();
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), LedgerUnderLoadChild.class.getName(), url, journal.toString(),
        tenant.toString(), "0", "1", "0").redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).as("the flush moved every record, then the JVM halted").contains("flushed 1000");
    assertThat(child.exitValue()).isEqualTo(137);
    try (var left = Files.walk(journal)) {
      assertThat(left.filter(p -> p.getFileName().toString().startsWith("segment-")))
          .as("the flush deleted its segment: the database is the only copy").isEmpty();
    }

    assertThat(replayAndRead(url, journal, tenant)).hasSize(1_000);
  }

  /** An H2 file database opened as Reef opens its own, with Reef's schema; its JDBC URL. */
  private String migratedDatabase() {
    String url = "jdbc:h2:file:" + dir.resolve("db").resolve("reef") + DatabaseEnvironmentPostProcessor.H2_OPTIONS;
    try (HikariDataSource dataSource = dataSource(url)) {
      Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/common", "classpath:db/migration/h2")
          .load().migrate();
    }
    return url;
  }

  /** Runs the child under load, kills it with SIGKILL after a random while; the last sequence acknowledged per thread. */
  private Map<Integer, Integer> killAtRandom(String url, Path journal, TenantId tenant, int round) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), LedgerUnderLoadChild.class.getName(), url, journal.toString(),
        tenant.toString(), Integer.toString(round), Integer.toString(THREADS), Long.toString(FLUSH_MILLIS))
        .redirectErrorStream(true).start();
    Map<Integer, Integer> acknowledged = new ConcurrentHashMap<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread reader = Thread.ofPlatform().start(() -> read(child, acknowledged, started));
    try {
      assertThat(started.await(60, TimeUnit.SECONDS)).as("the child started").isTrue();
      // Long enough for many flushes, short of H2's own background write (a second) now and then.
      Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1_500));
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(10_000);
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    return Map.copyOf(acknowledged);
  }

  private static void read(Process child, Map<Integer, Integer> acknowledged, CountDownLatch started) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("ack ")) {
          String[] parts = line.split(" ");
          acknowledged.merge(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Math::max);
        } else if (line.equals("started")) {
          started.countDown();
        } else {
          System.out.println("child: " + line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the stream ends when the child is killed, sometimes mid-line
    }
  }

  /** What the next start does: replay the dead child's journal into the database; then every request id stored. */
  private static Set<UUID> replayAndRead(String url, Path journal, TenantId tenant) {
    try (HikariDataSource dataSource = dataSource(url)) {
      UsageRecordRepository repository = new UsageRecordRepository(JdbcClient.create(dataSource),
          new JdbcTemplate(dataSource));
      new JournalLedger(new Journal(journal, false, 1 << 20), JournalLedger.into(repository, false),
          journal.resolve("rejected.jsonl"), null).close();
      return new HashSet<>(JdbcClient.create(dataSource)
          .sql("select request_id from usage_records where tenant_id = ?").param(tenant.value())
          .query(UUID.class).list());
    }
  }

  static HikariDataSource dataSource(String url) {
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(url);
    dataSource.setUsername("reef");
    dataSource.setPassword("");
    dataSource.setMaximumPoolSize(2);
    return dataSource;
  }
}
