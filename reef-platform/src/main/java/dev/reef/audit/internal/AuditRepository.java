package dev.reef.audit.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Append-only: there is no update or delete here on purpose. */
@Repository
@Transactional
class AuditRepository {

  private final JdbcClient jdbc;

  AuditRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record AuditRow(long seq, UUID id, TenantId tenantId, Instant occurredAt, String action, String actorKind,
      String actorId, String actorDisplay, String sourceAddress, String details) {}

  void append(TenantId tenantId, AuditRow row) {
    jdbc.sql("""
        insert into audit_events (id, tenant_id, occurred_at, action, actor_kind, actor_id, actor_display,
                                  source_address, details)
        values (:id, :t, :at, :action, :kind, :actorId, :display, :addr, :details)""")
        .param("id", row.id()).param("t", tenantId == null ? null : tenantId.value())
        .param("at", Jdbc.timestamp(row.occurredAt())).param("action", row.action())
        .param("kind", row.actorKind()).param("actorId", row.actorId()).param("display", row.actorDisplay())
        .param("addr", row.sourceAddress()).param("details", row.details())
        .update();
  }

  /** The tenant's events, newest first, strictly before {@code beforeSeq} when given (for paging). */
  List<AuditRow> list(TenantId tenantId, Long beforeSeq, int limit) {
    return jdbc.sql("""
        select * from audit_events
        where tenant_id = :t and (cast(:before as bigint) is null or seq < :before)
        order by seq desc limit :limit""")
        .param("t", tenantId.value()).param("before", beforeSeq).param("limit", limit)
        .query((rs, n) -> map(rs)).list();
  }

  /** Platform scope only: events that belong to no tenant (failed logins to unknown accounts, operator keys). */
  List<AuditRow> listPlatformEvents(Long beforeSeq, int limit) {
    return jdbc.sql("""
        select * from audit_events
        where tenant_id is null and (cast(:before as bigint) is null or seq < :before)
        order by seq desc limit :limit""")
        .param("before", beforeSeq).param("limit", limit)
        .query((rs, n) -> map(rs)).list();
  }

  private static AuditRow map(ResultSet rs) throws SQLException {
    UUID tenant = Jdbc.uuid(rs, "tenant_id");
    return new AuditRow(rs.getLong("seq"), Jdbc.uuid(rs, "id"), tenant == null ? null : new TenantId(tenant),
        Jdbc.instant(rs, "occurred_at"), rs.getString("action"), rs.getString("actor_kind"),
        rs.getString("actor_id"), rs.getString("actor_display"), rs.getString("source_address"),
        rs.getString("details"));
  }
}
