package dev.reef.channels.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import dev.reef.secrets.SecretRef;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Tenant-owned: every method takes the tenant first, but for the webhook's lookup by its hook id. */
@Repository
@Transactional
class ChannelRepository {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JdbcClient jdbc;

  ChannelRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Transactional(readOnly = true)
  List<ChannelRow> list(TenantId tenantId, UUID agentId) {
    return jdbc.sql("select * from agent_channels where tenant_id = :t and agent_id = :a order by type")
        .param("t", tenantId.value()).param("a", agentId).query((rs, n) -> row(rs)).list();
  }

  @Transactional(readOnly = true)
  Optional<ChannelRow> find(TenantId tenantId, UUID agentId, ChannelType type) {
    return jdbc.sql("select * from agent_channels where tenant_id = :t and agent_id = :a and type = :type")
        .param("t", tenantId.value()).param("a", agentId).param("type", type.name())
        .query((rs, n) -> row(rs)).optional();
  }

  /** The webhook's lookup: it knows only the hook id (run in platform scope). */
  @Transactional(readOnly = true)
  Optional<ChannelRow> findByHookAcrossTenants(UUID hookId) {
    return jdbc.sql("select * from agent_channels where hook_id = :h").param("h", hookId)
        .query((rs, n) -> row(rs)).optional();
  }

  /** Every channel of one type, of every tenant (platform scope): the Slack apps Reef holds connections for. */
  @Transactional(readOnly = true)
  List<ChannelRow> ofTypeAcrossTenants(ChannelType type) {
    return jdbc.sql("select * from agent_channels where type = :type").param("type", type.name())
        .query((rs, n) -> row(rs)).list();
  }

  /** Channels with updates the agent has not taken that arrived before {@code before} (platform scope). */
  @Transactional(readOnly = true)
  List<ChannelRow> withUpdatesWaitingSinceAcrossTenants(Instant before) {
    return jdbc.sql("""
        select c.* from agent_channels c where exists (select 1 from channel_updates u
          where u.hook_id = c.hook_id and u.delivered_at is null and u.received_at < :before)""")
        .param("before", Jdbc.timestamp(before)).query((rs, n) -> row(rs)).list();
  }

  void upsert(TenantId tenantId, ChannelRow row) {
    int updated = jdbc.sql("""
        update agent_channels set hook_id = :hook, webhook_secret_hash = :secret, credentials = :cred,
          bot_id = :botId, bot_name = :botName, dm_policy = :dm, allow_from = :allow, status = :status,
          status_reason = :reason, connected_at = :connected, updated_at = :updated
        where tenant_id = :t and agent_id = :a and type = :type""")
        .params(params(tenantId, row)).update();
    if (updated == 0) {
      jdbc.sql("""
          insert into agent_channels (tenant_id, agent_id, type, hook_id, webhook_secret_hash, credentials, bot_id,
            bot_name, dm_policy, allow_from, status, status_reason, connected_at, updated_at)
          values (:t, :a, :type, :hook, :secret, :cred, :botId, :botName, :dm, :allow, :status, :reason,
            :connected, :updated)""")
          .params(params(tenantId, row)).update();
    }
  }

  private static java.util.Map<String, Object> params(TenantId tenantId, ChannelRow row) {
    java.util.Map<String, Object> p = new java.util.HashMap<>();
    p.put("t", tenantId.value());
    p.put("a", row.agentId());
    p.put("type", row.type().name());
    p.put("hook", row.hookId());
    p.put("secret", row.webhookSecretHash());
    p.put("cred", row.credentials().id());
    p.put("botId", row.botId());
    p.put("botName", row.botName());
    p.put("dm", row.dmPolicy());
    p.put("allow", JSON.writeValueAsString(row.allowFrom()));
    p.put("status", row.status());
    p.put("reason", row.statusReason());
    p.put("connected", Jdbc.timestamp(row.connectedAt()));
    p.put("updated", Jdbc.timestamp(row.updatedAt()));
    return p;
  }

  /** Only when it changes, so a busy channel writes nothing per call. */
  void setStatus(TenantId tenantId, UUID agentId, ChannelType type, String status, String reason, Instant now) {
    jdbc.sql("""
        update agent_channels set status = :status, status_reason = :reason, updated_at = :now
        where tenant_id = :t and agent_id = :a and type = :type""")
        .param("status", status).param("reason", reason).param("now", Jdbc.timestamp(now))
        .param("t", tenantId.value()).param("a", agentId).param("type", type.name()).update();
  }

  void messageArrived(TenantId tenantId, UUID hookId, Instant at) {
    jdbc.sql("update agent_channels set last_message_at = :at where tenant_id = :t and hook_id = :h")
        .param("at", Jdbc.timestamp(at)).param("t", tenantId.value()).param("h", hookId).update();
  }

  void delete(TenantId tenantId, UUID agentId, ChannelType type) {
    jdbc.sql("delete from agent_channels where tenant_id = :t and agent_id = :a and type = :type")
        .param("t", tenantId.value()).param("a", agentId).param("type", type.name()).update();
  }

  private static ChannelRow row(ResultSet rs) throws SQLException {
    return new ChannelRow(new TenantId(Jdbc.uuid(rs, "tenant_id")), Jdbc.uuid(rs, "agent_id"),
        ChannelType.valueOf(rs.getString("type")), Jdbc.uuid(rs, "hook_id"), rs.getString("webhook_secret_hash"),
        new SecretRef(Jdbc.uuid(rs, "credentials")), rs.getString("bot_id"), rs.getString("bot_name"),
        rs.getString("dm_policy"), JSON.readValue(rs.getString("allow_from"), new TypeReference<List<String>>() {}),
        rs.getString("status"), rs.getString("status_reason"), Jdbc.instant(rs, "last_message_at"),
        Jdbc.instant(rs, "connected_at"), Jdbc.instant(rs, "updated_at"));
  }
}
