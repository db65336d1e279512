package dev.reef.metering.internal;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.metering.MeterLimits.Money;
import dev.reef.metering.UsageReports;
import java.time.LocalDate;
import java.util.List;
import org.springframework.stereotype.Component;

/** The usage API's numbers, for other modules (the dashboard). */
@Component
final class LedgerReports implements UsageReports {

  private final UsageRecordRepository records;

  LedgerReports(UsageRecordRepository records) {
    this.records = records;
  }

  @Override
  public Report report(TenantId tenantId, LocalDate from, LocalDate to, Grouping grouping) {
    List<UsageRecordRepository.GroupRow> rows = rows(tenantId, query(from, to, grouping));
    long requests = 0;
    long input = 0;
    long output = 0;
    long micros = 0;
    long byok = 0;
    for (UsageRecordRepository.GroupRow row : rows) {
      requests += row.requests();
      input += row.inputTokens();
      output += row.outputTokens();
      micros += row.costMicros();
      byok += row.byokCostMicros();
    }
    List<Line> lines = rows.stream().map(r -> new Line(r.key() == null ? "(none)" : r.key(), r.requests(),
        r.inputTokens(), r.outputTokens(), Money.toUsd(r.costMicros()), Money.toUsd(r.byokCostMicros()))).toList();
    return new Report(from, to, grouping, new Line("total", requests, input, output, Money.toUsd(micros),
        Money.toUsd(byok)), lines);
  }

  @Override
  public Spend agentSpend(TenantId tenantId, java.util.UUID agentId, java.time.Instant from,
      java.time.Instant to) {
    return DataScope.callAs(tenantId, () -> records.agentSpend(tenantId, agentId.toString(), from, to));
  }

  @Override
  public String csv(TenantId tenantId, LocalDate from, LocalDate to, Grouping grouping) {
    UsageQuery query = query(from, to, grouping);
    return UsageCsv.write(UsageController.report(rows(tenantId, query), query).groups());
  }

  private static UsageQuery query(LocalDate from, LocalDate to, Grouping grouping) {
    return new UsageQuery(from, to, UsageRecordRepository.GroupBy.valueOf(grouping.name()));
  }

  private List<UsageRecordRepository.GroupRow> rows(TenantId tenantId, UsageQuery query) {
    return DataScope.callAs(tenantId, () -> records.groups(tenantId, query.start(), query.end(), query.groupBy()));
  }
}
