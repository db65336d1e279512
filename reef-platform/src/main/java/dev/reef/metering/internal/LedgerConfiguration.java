package dev.reef.metering.internal;

import dev.reef.common.DataScope;
import dev.reef.platform.ReefProperties;
import java.nio.file.Path;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LedgerProperties.class)
class LedgerConfiguration {

  /** Replays journals left by earlier runs while it is created, so before Reef serves a request. */
  @Bean(destroyMethod = "close")
  JournalLedger usageLedger(ReefProperties reef, LedgerProperties ledger, UsageRecordRepository repository) {
    Path root = reef.dataDir().resolve("ledger");
    boolean fsync = ledger.fsync() == LedgerProperties.Fsync.ALWAYS;
    return new JournalLedger(new Journal(root, fsync, ledger.segmentBytes()), JournalLedger.into(repository, fsync),
        root.resolve("rejected.jsonl"), ledger.flushInterval());
  }

  /**
   * The {@code ledger} health contributor: how far the database is behind this replica's journal. Always UP (a
   * database that is down only delays the ledger: the journal keeps every record), with the lag in its details; the
   * same figures are metrics, so a growing backlog can be alerted on.
   */
  @Bean
  org.springframework.boot.health.contributor.HealthIndicator ledgerHealthIndicator(JournalLedger ledger,
      org.springframework.beans.factory.ObjectProvider<io.micrometer.core.instrument.MeterRegistry> metrics) {
    metrics.ifAvailable(registry -> {
      io.micrometer.core.instrument.Gauge.builder("reef.ledger.waiting.records", ledger,
              l -> l.lag().waitingRecords())
          .description("Usage records in this replica's journal, not yet in the database").register(registry);
      io.micrometer.core.instrument.Gauge.builder("reef.ledger.since.flush", ledger,
              l -> l.lag().sinceLastFlush().toMillis() / 1000.0)
          .baseUnit("seconds").description("Time since this replica's journal last reached the database")
          .register(registry);
    });
    return () -> {
      JournalLedger.Lag lag = ledger.lag();
      return org.springframework.boot.health.contributor.Health.up()
          .withDetail("waitingRecords", lag.waitingRecords())
          .withDetail("waitingSegments", lag.waitingSegments())
          .withDetail("secondsSinceLastFlush", lag.sinceLastFlush().toSeconds())
          .withDetail("databaseReachable", !lag.databaseDown()).build();
    };
  }

  /**
   * Month totals for seeding, read in the tenant's own scope (row-level security sees only its rows), after this
   * replica's journal has been moved into the database: a seed must not miss the calls of the last second.
   */
  @Bean
  LedgerTotals ledgerTotals(UsageRecordRepository repository, JournalLedger journal) {
    return (tenantId, month, meteredOnly) -> {
      journal.flush();
      return DataScope.callAs(tenantId, () -> repository.monthTotals(tenantId, month, meteredOnly));
    };
  }
}
