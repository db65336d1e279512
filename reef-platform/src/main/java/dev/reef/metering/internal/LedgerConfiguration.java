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
