package dev.reef.access.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Agent tokens by hash; tenant-owned. */
@Repository
@Transactional
class AgentTokenRepository {

  private final JdbcClient jdbc;

  AgentTokenRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record AgentTokenRow(TenantId tenantId, UUID agentId) {}

  void insert(TenantId tenantId, UUID agentId, String hash, Instant now) {
    jdbc.sql("""
        insert into agent_tokens (id, tenant_id, agent_id, token_hash, created_at)
        values (:id, :t, :a, :h, :now)""")
        .param("id", UUID.randomUUID()).param("t", tenantId.value()).param("a", agentId).param("h", hash)
        .param("now", Jdbc.timestamp(now)).update();
  }

  int revokeAll(TenantId tenantId, UUID agentId, Instant now) {
    return jdbc.sql("""
        update agent_tokens set revoked_at = :now
        where tenant_id = :t and agent_id = :a and revoked_at is null""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("a", agentId).update();
  }

  /** Platform scope only: resolving a presented token before anyone knows its tenant. */
  Optional<AgentTokenRow> findActiveByHashAcrossTenants(String hash) {
    return jdbc.sql("select tenant_id, agent_id from agent_tokens where token_hash = :h and revoked_at is null")
        .param("h", hash)
        .query((rs, n) -> new AgentTokenRow(new TenantId(Jdbc.uuid(rs, "tenant_id")), Jdbc.uuid(rs, "agent_id")))
        .optional();
  }
}
