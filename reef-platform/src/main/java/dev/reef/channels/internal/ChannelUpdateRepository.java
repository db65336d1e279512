package dev.reef.channels.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** The updates channels sent for agents, until (and a while after) the agents took them. Tenant first. */
@Repository
@Transactional
class ChannelUpdateRepository {

  record Update(long updateId, String payload) {}

  private final JdbcClient jdbc;

  ChannelUpdateRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Keeps an update unless one with its id is already kept (or was delivered and is still remembered): a channel
   * that sends it again, because its first try looked failed, gets it taken once. Returns whether it was new; the
   * same update sent twice at the very same moment makes one of the two fail with a duplicate key instead.
   */
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  boolean insertIfNew(TenantId tenantId, UUID hookId, long updateId, String payload, Instant now) {
    return jdbc.sql("""
        insert into channel_updates (tenant_id, hook_id, update_id, payload, received_at)
          select :t, :h, :u, :p, :now where not exists
            (select 1 from channel_updates where hook_id = :h and update_id = :u)""")
          .param("t", tenantId.value()).param("h", hookId).param("u", updateId).param("p", payload)
          .param("now", Jdbc.timestamp(now)).update() == 1;
  }

  /** The agent has every update before {@code offset} (Telegram's getUpdates acknowledgement). */
  int acknowledgeBefore(TenantId tenantId, UUID hookId, long offset, Instant now) {
    return jdbc.sql("""
        update channel_updates set delivered_at = :now
        where tenant_id = :t and hook_id = :h and update_id < :o and delivered_at is null""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("h", hookId).param("o", offset)
        .update();
  }

  /** Those not yet acknowledged from {@code offset} on, oldest first. */
  @Transactional(readOnly = true)
  List<Update> waiting(TenantId tenantId, UUID hookId, long offset, int limit) {
    return jdbc.sql("""
        select update_id, payload from channel_updates
        where tenant_id = :t and hook_id = :h and update_id >= :o and delivered_at is null
        order by update_id limit :limit""")
        .param("t", tenantId.value()).param("h", hookId).param("o", offset).param("limit", limit)
        .query((rs, n) -> new Update(rs.getLong("update_id"), rs.getString("payload"))).list();
  }

  @Transactional(readOnly = true)
  long countWaiting(TenantId tenantId, UUID hookId) {
    return jdbc.sql("select count(*) from channel_updates where tenant_id = :t and hook_id = :h and delivered_at is null")
        .param("t", tenantId.value()).param("h", hookId).query(Long.class).single();
  }

  void deleteAll(TenantId tenantId, UUID hookId) {
    jdbc.sql("delete from channel_updates where tenant_id = :t and hook_id = :h")
        .param("t", tenantId.value()).param("h", hookId).update();
  }

  /** Forgets delivered updates older than {@code before} (platform scope). */
  int forgetDeliveredBeforeAcrossTenants(Instant before) {
    return jdbc.sql("delete from channel_updates where delivered_at is not null and delivered_at < :before")
        .param("before", Jdbc.timestamp(before)).update();
  }
}
