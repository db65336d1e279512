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

  /**
   * What one agent's model calls cost that started between {@code from} and {@code to} (both inclusive): what a
   * chat reply cost, for example. Calls reach the ledger within about a second of their end.
   */
  Spend agentSpend(TenantId tenantId, java.util.UUID agentId, java.time.Instant from, java.time.Instant to);

  /** {@code costMicros} in millionths of a US dollar. */
  record Spend(long requests, long costMicros) {}

  /** The same report as the usage API's CSV (one header row, one row a group). */
  String csv(TenantId tenantId, LocalDate from, LocalDate to, Grouping grouping);
}
