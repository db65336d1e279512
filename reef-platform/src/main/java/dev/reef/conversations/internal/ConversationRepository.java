package dev.reef.conversations.internal;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.conversations.Conversations.Role;
import dev.reef.platform.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Tenant-owned: every method takes the tenant first. */
@Repository
@Transactional
class ConversationRepository {

  private final JdbcClient jdbc;

  ConversationRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record ConversationRow(UUID id, UUID agentId, UserId userId, String title, Instant createdAt,
      Instant lastMessageAt, int messages) {}

  /**
   * @param modelCalls with {@code costMicros}: null until settled (then the reply's figures for good)
   */
  record MessageRow(UUID conversationId, int seq, Role role, String content, Instant startedAt, Instant finishedAt,
      Long modelCalls, Long costMicros) {}

  void insert(TenantId tenantId, ConversationRow row) {
    jdbc.sql("""
        insert into conversations (id, tenant_id, agent_id, user_id, title, created_at, last_message_at)
        values (:id, :t, :agent, :user, :title, :created, :last)""")
        .param("id", row.id()).param("t", tenantId.value()).param("agent", row.agentId())
        .param("user", row.userId().value()).param("title", row.title())
        .param("created", Jdbc.timestamp(row.createdAt())).param("last", Jdbc.timestamp(row.lastMessageAt()))
        .update();
  }

  /** The most recently used first. */
  @Transactional(readOnly = true)
  List<ConversationRow> list(TenantId tenantId, UUID agentId, UserId userId, int limit) {
    return jdbc.sql("""
        select c.*, (select count(*) from conversation_messages m where m.conversation_id = c.id) as messages
        from conversations c
        where c.tenant_id = :t and c.agent_id = :agent and c.user_id = :user
        order by c.last_message_at desc, c.created_at desc limit :limit""")
        .param("t", tenantId.value()).param("agent", agentId).param("user", userId.value())
        .param("limit", limit).query((rs, n) -> conversation(rs)).list();
  }

  @Transactional(readOnly = true)
  Optional<ConversationRow> find(TenantId tenantId, UUID agentId, UserId userId, UUID id) {
    return jdbc.sql("""
        select c.*, (select count(*) from conversation_messages m where m.conversation_id = c.id) as messages
        from conversations c
        where c.tenant_id = :t and c.agent_id = :agent and c.user_id = :user and c.id = :id""")
        .param("t", tenantId.value()).param("agent", agentId).param("user", userId.value()).param("id", id)
        .query((rs, n) -> conversation(rs)).optional();
  }

  /** Locks the conversation's row until the transaction ends: two messages at once get distinct places. */
  void lock(TenantId tenantId, UUID id) {
    jdbc.sql("select id from conversations where tenant_id = :t and id = :id for update")
        .param("t", tenantId.value()).param("id", id).query(Object.class).optional();
  }

  void used(TenantId tenantId, UUID id, String title, Instant at) {
    jdbc.sql("""
        update conversations set last_message_at = :at, title = coalesce(:title, title)
        where tenant_id = :t and id = :id""")
        .param("at", Jdbc.timestamp(at)).param("title", title).param("t", tenantId.value()).param("id", id)
        .update();
  }

  int nextSeq(TenantId tenantId, UUID conversationId) {
    return jdbc.sql("""
        select coalesce(max(seq), 0) + 1 from conversation_messages
        where tenant_id = :t and conversation_id = :c""")
        .param("t", tenantId.value()).param("c", conversationId).query(Integer.class).single();
  }

  void insertMessage(TenantId tenantId, MessageRow row) {
    jdbc.sql("""
        insert into conversation_messages
          (conversation_id, seq, tenant_id, role, content, started_at, finished_at, model_calls, cost_micros)
        values (:c, :seq, :t, :role, :content, :started, :finished, :calls, :cost)""")
        .param("c", row.conversationId()).param("seq", row.seq()).param("t", tenantId.value())
        .param("role", row.role().name().toLowerCase()).param("content", row.content())
        .param("started", Jdbc.timestamp(row.startedAt())).param("finished", Jdbc.timestamp(row.finishedAt()))
        .param("calls", row.modelCalls()).param("cost", row.costMicros()).update();
  }

  @Transactional(readOnly = true)
  List<MessageRow> messages(TenantId tenantId, UUID conversationId) {
    return jdbc.sql("""
        select * from conversation_messages where tenant_id = :t and conversation_id = :c order by seq""")
        .param("t", tenantId.value()).param("c", conversationId).query((rs, n) -> message(rs)).list();
  }

  /** The replies of the person's conversations with the agent whose cost is not settled yet. */
  @Transactional(readOnly = true)
  List<MessageRow> unsettledReplies(TenantId tenantId, UUID agentId, UserId userId) {
    return jdbc.sql("""
        select m.* from conversation_messages m join conversations c on c.id = m.conversation_id
        where m.tenant_id = :t and c.tenant_id = :t and c.agent_id = :agent and c.user_id = :user
          and m.cost_micros is null and m.role <> 'user'""")
        .param("t", tenantId.value()).param("agent", agentId).param("user", userId.value())
        .query((rs, n) -> message(rs)).list();
  }

  /** Settled figures of each conversation: model calls and cost of its replies, by conversation id. */
  @Transactional(readOnly = true)
  List<MessageRow> settledTotals(TenantId tenantId, UUID agentId, UserId userId) {
    return jdbc.sql("""
        select m.conversation_id, 0 as seq, 'agent' as role, '' as content, min(m.started_at) as started_at,
               max(m.finished_at) as finished_at, sum(m.model_calls) as model_calls,
               sum(m.cost_micros) as cost_micros
        from conversation_messages m join conversations c on c.id = m.conversation_id
        where m.tenant_id = :t and c.tenant_id = :t and c.agent_id = :agent and c.user_id = :user
          and m.cost_micros is not null
        group by m.conversation_id""")
        .param("t", tenantId.value()).param("agent", agentId).param("user", userId.value())
        .query((rs, n) -> message(rs)).list();
  }

  void settle(TenantId tenantId, UUID conversationId, int seq, long modelCalls, long costMicros) {
    jdbc.sql("""
        update conversation_messages set model_calls = :calls, cost_micros = :cost
        where tenant_id = :t and conversation_id = :c and seq = :seq""")
        .param("calls", modelCalls).param("cost", costMicros).param("t", tenantId.value())
        .param("c", conversationId).param("seq", seq).update();
  }

  boolean delete(TenantId tenantId, UUID agentId, UserId userId, UUID id) {
    return jdbc.sql("""
        delete from conversations
        where tenant_id = :t and agent_id = :agent and user_id = :user and id = :id""")
        .param("t", tenantId.value()).param("agent", agentId).param("user", userId.value()).param("id", id)
        .update() == 1;
  }

  /** Every conversation with the agent, of every person (the agent was deleted). */
  int deleteAll(TenantId tenantId, UUID agentId) {
    return jdbc.sql("delete from conversations where tenant_id = :t and agent_id = :agent")
        .param("t", tenantId.value()).param("agent", agentId).update();
  }

  private static ConversationRow conversation(ResultSet rs) throws SQLException {
    return new ConversationRow(Jdbc.uuid(rs, "id"), Jdbc.uuid(rs, "agent_id"),
        new UserId(Jdbc.uuid(rs, "user_id")), rs.getString("title"), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "last_message_at"), rs.getInt("messages"));
  }

  private static MessageRow message(ResultSet rs) throws SQLException {
    long calls = rs.getLong("model_calls");
    Long modelCalls = rs.wasNull() ? null : calls;
    long cost = rs.getLong("cost_micros");
    Long costMicros = rs.wasNull() ? null : cost;
    return new MessageRow(Jdbc.uuid(rs, "conversation_id"), rs.getInt("seq"),
        Role.valueOf(rs.getString("role").toUpperCase()), rs.getString("content"), Jdbc.instant(rs, "started_at"),
        Jdbc.instant(rs, "finished_at"), modelCalls, costMicros);
  }
}
