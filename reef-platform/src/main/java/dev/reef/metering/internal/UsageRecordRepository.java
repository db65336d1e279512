package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import dev.reef.metering.UsageRecord;
import dev.reef.platform.Jdbc;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code usage_records} table. Rows are only ever inserted (by the journal flusher, in platform scope); reads
 * are per tenant and per time range, served by the {@code (tenant_id, started_at)} index.
 */
@Repository
@Transactional
class UsageRecordRepository {

  private static final int TEXT_MAX = 255;

  private final JdbcClient jdbc;
  private final JdbcTemplate template;
  private volatile Boolean h2;

  UsageRecordRepository(JdbcClient jdbc, JdbcTemplate template) {
    this.jdbc = jdbc;
    this.template = template;
  }

  /**
   * Inserts in one batch; a record whose request id is already there is skipped, so replays never duplicate. (The
   * conflict target is left out because H2's PostgreSQL mode only knows that form; request_id is the only unique
   * constraint.)
   */
  void insertAll(List<UsageRecord> records) {
    template.batchUpdate("""
        insert into usage_records (request_id, tenant_id, agent_id, api_key_id, endpoint, model, provider,
          input_tokens, output_tokens, cached_input_tokens, cost_micros, latency_millis, status, http_status, byok,
          metered, started_at, finished_at, started_day)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict do nothing""", records, records.size(), UsageRecordRepository::bind);
  }

  /**
   * Returns once every row inserted so far survives the death of this process. On PostgreSQL a commit already does
   * (it is in the write-ahead log). H2 keeps committed changes in memory and writes them to its file up to a second
   * later (MVStore's write delay), so a {@code kill -9} can lose them; {@code CHECKPOINT} writes them now, and
   * {@code CHECKPOINT SYNC} also forces them to disk, as a journal with fsync on does with its own lines.
   */
  @Transactional(propagation = Propagation.NOT_SUPPORTED)
  void makeDurable(boolean toDisk) {
    if (isH2()) {
      template.execute(toDisk ? "checkpoint sync" : "checkpoint");
    }
  }

  private boolean isH2() {
    Boolean known = h2;
    if (known == null) {
      known = template.execute((ConnectionCallback<Boolean>) connection ->
          connection.getMetaData().getDatabaseProductName().equalsIgnoreCase("H2"));
      h2 = known;
    }
    return known;
  }

  private static void bind(PreparedStatement st, UsageRecord r) throws SQLException {
    st.setObject(1, r.requestId());
    st.setObject(2, r.tenantId().value());
    st.setString(3, text(r.agentId()));
    st.setObject(4, r.apiKeyId());
    st.setString(5, text(r.endpoint()));
    st.setString(6, text(r.model()));
    st.setString(7, text(r.provider()));
    st.setLong(8, r.inputTokens());
    st.setLong(9, r.outputTokens());
    st.setLong(10, r.cachedInputTokens());
    st.setLong(11, r.costMicros());
    st.setLong(12, r.latencyMillis());
    st.setString(13, text(r.status()));
    st.setInt(14, r.httpStatus());
    st.setBoolean(15, r.byok());
    st.setBoolean(16, r.metered());
    st.setObject(17, Jdbc.timestamp(r.startedAt()));
    st.setObject(18, Jdbc.timestamp(r.finishedAt()));
    st.setObject(19, LocalDate.ofInstant(r.startedAt(), ZoneOffset.UTC));
  }

  /** Free text from upstream (a model name) must never make a record unstorable. */
  private static String text(String s) {
    return s == null || s.length() <= TEXT_MAX ? s : s.substring(0, TEXT_MAX);
  }

  /**
   * The month's totals the meters seed from. Cost counts against the budget unless the tenant's own provider key
   * (BYOK) paid for it: the ledger does not keep the per-call flag, and platform-key spend is what budgets cap.
   */
  @Transactional(readOnly = true)
  LedgerTotals.MonthTotals monthTotals(TenantId tenantId, YearMonth month, boolean meteredOnly) {
    return jdbc.sql("""
        select coalesce(sum(case when byok then 0 else cost_micros end), 0) as spent,
               coalesce(sum(input_tokens + output_tokens), 0) as tokens
        from usage_records
        where tenant_id = :t and started_at >= :from and started_at < :to and (metered or not :meteredOnly)""")
        .param("meteredOnly", meteredOnly)
        .param("t", tenantId.value())
        .param("from", Jdbc.timestamp(MeterWindows.monthStart(month)))
        .param("to", Jdbc.timestamp(MeterWindows.monthStart(month.plusMonths(1))))
        .query((rs, n) -> new LedgerTotals.MonthTotals(rs.getLong("spent"), rs.getLong("tokens"))).single();
  }

  /** One group of the usage report; {@code key} is null for calls made with a tenant API key, grouped by agent. */
  /** {@code byokCostMicros}: the part of the cost paid through the tenant's own provider keys. */
  record GroupRow(String key, long requests, long inputTokens, long outputTokens, long cachedInputTokens,
      long costMicros, long byokCostMicros) {}

  enum GroupBy {
    DAY("started_day"), MODEL("model"), AGENT("agent_id");

    private final String column;

    GroupBy(String column) {
      this.column = column;
    }
  }

  /** The tenant's usage with {@code from <= started_at < to}, grouped, in key order. */
  @Transactional(readOnly = true)
  List<GroupRow> groups(TenantId tenantId, Instant from, Instant to, GroupBy groupBy) {
    // The column comes from the enum, never from the request.
    return jdbc.sql("""
        select %1$s as group_key, count(*) as requests, sum(input_tokens) as input_tokens,
               sum(output_tokens) as output_tokens, sum(cached_input_tokens) as cached_input_tokens,
               sum(cost_micros) as cost_micros,
               sum(case when byok then cost_micros else 0 end) as byok_cost_micros
        from usage_records
        where tenant_id = :t and started_at >= :from and started_at < :to
        group by %1$s order by %1$s""".formatted(groupBy.column))
        .param("t", tenantId.value()).param("from", Jdbc.timestamp(from)).param("to", Jdbc.timestamp(to))
        .query((rs, n) -> new GroupRow(rs.getString("group_key"), rs.getLong("requests"),
            rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
            rs.getLong("cost_micros"), rs.getLong("byok_cost_micros")))
        .list();
  }

  /** One agent's calls with {@code from <= started_at <= to}. */
  @Transactional(readOnly = true)
  dev.reef.metering.UsageReports.Spend agentSpend(TenantId tenantId, String agentId, Instant from, Instant to) {
    return jdbc.sql("""
        select count(*) as requests, coalesce(sum(cost_micros), 0) as cost_micros
        from usage_records
        where tenant_id = :t and started_at >= :from and started_at <= :to and agent_id = :agent""")
        .param("t", tenantId.value()).param("from", Jdbc.timestamp(from)).param("to", Jdbc.timestamp(to))
        .param("agent", agentId)
        .query((rs, n) -> new dev.reef.metering.UsageReports.Spend(rs.getLong("requests"),
            rs.getLong("cost_micros"))).single();
  }
}
