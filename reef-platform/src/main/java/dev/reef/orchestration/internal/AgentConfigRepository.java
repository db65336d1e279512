package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Tenant-owned: every method takes the tenant first. The configuration is stored as JSON text. */
@Repository
@Transactional
class AgentConfigRepository {

  private final JdbcClient jdbc;

  AgentConfigRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** @param changed the changed fields, comma-separated */
  record ConfigRow(int version, String config, String changed, String createdBy, Instant createdAt) {}

  Optional<ConfigRow> latest(TenantId tenantId, UUID agentId) {
    return jdbc.sql("""
        select * from agent_configs where tenant_id = :t and agent_id = :a order by version desc limit 1""")
        .param("t", tenantId.value()).param("a", agentId).query((rs, n) -> map(rs)).optional();
  }

  Optional<ConfigRow> find(TenantId tenantId, UUID agentId, int version) {
    return jdbc.sql("select * from agent_configs where tenant_id = :t and agent_id = :a and version = :v")
        .param("t", tenantId.value()).param("a", agentId).param("v", version).query((rs, n) -> map(rs)).optional();
  }

  /** Newest first. */
  List<ConfigRow> list(TenantId tenantId, UUID agentId, int limit) {
    return jdbc.sql("""
        select * from agent_configs where tenant_id = :t and agent_id = :a order by version desc limit :limit""")
        .param("t", tenantId.value()).param("a", agentId).param("limit", limit).query((rs, n) -> map(rs)).list();
  }

  /** Fails (duplicate key) when another change took this version first: versions are never lost or merged. */
  void insert(TenantId tenantId, UUID agentId, ConfigRow row) {
    jdbc.sql("""
        insert into agent_configs (tenant_id, agent_id, version, config, changed, created_by, created_at)
        values (:t, :a, :v, :config, :changed, :by, :at)""")
        .param("t", tenantId.value()).param("a", agentId).param("v", row.version()).param("config", row.config())
        .param("changed", row.changed()).param("by", row.createdBy())
        .param("at", Jdbc.timestamp(row.createdAt())).update();
  }

  void deleteAll(TenantId tenantId, UUID agentId) {
    jdbc.sql("delete from agent_configs where tenant_id = :t and agent_id = :a")
        .param("t", tenantId.value()).param("a", agentId).update();
  }

  private static ConfigRow map(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new ConfigRow(rs.getInt("version"), rs.getString("config"), rs.getString("changed"),
        rs.getString("created_by"), Jdbc.instant(rs, "created_at"));
  }
}
