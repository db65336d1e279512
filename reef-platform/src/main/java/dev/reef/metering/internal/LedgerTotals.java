package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import java.time.YearMonth;

/**
 * What the durable ledger says a tenant used in a month: the meters seed their month counters from it when they
 * have none (after a restart of Reef or of a Redis without persistence), so a restart never resets a budget.
 */
interface LedgerTotals {

  /**
   * @param meteredOnly leave out calls admitted unmetered while the meter's store was unreachable: the Redis meter
   *     counts those through their queued charges, exactly once, so its seed must not count them too
   */
  MonthTotals month(TenantId tenantId, YearMonth month, boolean meteredOnly);

  /** @param spentMicros recorded cost that counts against the budget; {@code tokens} input plus output tokens */
  record MonthTotals(long spentMicros, long tokens) {
    static final MonthTotals NONE = new MonthTotals(0, 0);
  }
}
