package dev.reef.metering;

import dev.reef.common.TenantId;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/** Read side of the ledger, for the dashboard: a tenant's usage between two days (inclusive, UTC), grouped. */
public interface UsageReports {

  enum Grouping { DAY, MODEL, AGENT }

  /** {@code byokCostUsd}: the part of {@code costUsd} paid through the tenant's own provider keys. */
  record Line(String key, long requests, long inputTokens, long outputTokens, BigDecimal costUsd,
      BigDecimal byokCostUsd) {}

  record Report(LocalDate from, LocalDate to, Grouping grouping, Line totals, List<Line> lines) {}

  Report report(TenantId tenantId, LocalDate from, LocalDate to, Grouping grouping);

  /** The same report as the usage API's CSV (one header row, one row a group). */
  String csv(TenantId tenantId, LocalDate from, LocalDate to, Grouping grouping);
}
