package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEvent;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.DesiredState;
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

/** Agents and their state history. Tenant-owned: the tenant is the first parameter and in every query. */
@Repository
@Transactional
class AgentRepository {

  private final JdbcClient jdbc;

  AgentRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(TenantId tenantId, AgentRow a, Instant now) {
    jdbc.sql("""
        insert into agents (id, tenant_id, name, runtime, runtime_version, model, desired_state, state, state_reason,
          state_changed_at, created_at, updated_at)
        values (:id, :t, :name, :runtime, :version, :model, :desired, :state, :reason, :now, :now, :now)""")
        .param("id", a.id()).param("t", tenantId.value()).param("name", a.name()).param("runtime", a.runtime())
        .param("version", a.runtimeVersion()).param("model", a.model()).param("desired", a.desired().name())
        .param("state", a.state().stored()).param("reason", a.state().reason()).param("now", Jdbc.timestamp(now))
        .update();
  }

  /** A live agent: one deleted (and waiting for its clean-up) is not found. */
  Optional<AgentRow> findLive(TenantId tenantId, UUID agentId) {
    return jdbc.sql("select * from agents where tenant_id = :t and id = :id and deleted_at is null")
        .param("t", tenantId.value()).param("id", agentId).query((rs, n) -> map(rs)).optional();
  }

  /** Including an agent deleted but not yet cleaned up: for the reconciler. */
  Optional<AgentRow> findIncludingDeleted(TenantId tenantId, UUID agentId) {
    return jdbc.sql("select * from agents where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", agentId).query((rs, n) -> map(rs)).optional();
  }

  /** The tenant's live agents. */
  List<AgentRow> listLive(TenantId tenantId) {
    return jdbc.sql("select * from agents where tenant_id = :t and deleted_at is null order by created_at, name")
        .param("t", tenantId.value()).query((rs, n) -> map(rs)).list();
  }

  long countLive(TenantId tenantId) {
    return jdbc.sql("select count(*) from agents where tenant_id = :t and deleted_at is null")
        .param("t", tenantId.value()).query(Long.class).single();
  }

  boolean nameTaken(TenantId tenantId, String name) {
    return jdbc.sql("select count(*) from agents where tenant_id = :t and name = :n")
        .param("t", tenantId.value()).param("n", name).query(Long.class).single() > 0;
  }

  /** A person asking for a state also forgives past crashes: the next start is attempted at once. */
  void setDesired(TenantId tenantId, UUID agentId, DesiredState desired, Instant now) {
    jdbc.sql("""
        update agents set desired_state = :d, updated_at = :now, crash_count = 0, next_attempt_at = null
        where tenant_id = :t and id = :id""")
        .param("d", desired.name()).param("now", Jdbc.timestamp(now)).param("t", tenantId.value())
        .param("id", agentId).update();
  }

  /** The idle timer's stop: unlike a person's, it keeps the crash history. */
  void setDesiredKeepingCrashes(TenantId tenantId, UUID agentId, DesiredState desired, Instant now) {
    jdbc.sql("update agents set desired_state = :d, updated_at = :now where tenant_id = :t and id = :id")
        .param("d", desired.name()).param("now", Jdbc.timestamp(now)).param("t", tenantId.value())
        .param("id", agentId).update();
  }

  void markDeleted(TenantId tenantId, UUID agentId, Instant deletedAt, Instant now) {
    jdbc.sql("""
        update agents set desired_state = 'DELETED', deleted_at = :del, updated_at = :now,
          name = name || '~' || cast(id as varchar)
        where tenant_id = :t and id = :id""")
        .param("del", Jdbc.timestamp(deletedAt)).param("now", Jdbc.timestamp(now)).param("t", tenantId.value())
        .param("id", agentId).update();
  }

  void setModel(TenantId tenantId, UUID agentId, String model, Instant now) {
    jdbc.sql("update agents set model = :m, updated_at = :now where tenant_id = :t and id = :id")
        .param("m", model).param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", agentId)
        .update();
  }

  /** Records a state change and its event together. */
  void changeState(TenantId tenantId, UUID agentId, AgentState state, String replica, Instant now) {
    jdbc.sql("""
        update agents set state = :s, state_reason = :r, state_changed_at = :now, updated_at = :now
        where tenant_id = :t and id = :id""")
        .param("s", state.stored()).param("r", truncate(state.reason())).param("now", Jdbc.timestamp(now))
        .param("t", tenantId.value()).param("id", agentId).update();
    jdbc.sql("""
        insert into agent_events (tenant_id, agent_id, occurred_at, state, reason, replica)
        values (:t, :id, :now, :s, :r, :replica)""")
        .param("t", tenantId.value()).param("id", agentId).param("now", Jdbc.timestamp(now))
        .param("s", state.stored()).param("r", truncate(state.reason())).param("replica", replica).update();
  }

  /** Progress within a state (install output): updates the reason without a new event. */
  void updateReason(TenantId tenantId, UUID agentId, String reason, Instant now) {
    jdbc.sql("update agents set state_reason = :r, updated_at = :now where tenant_id = :t and id = :id")
        .param("r", truncate(reason)).param("now", Jdbc.timestamp(now)).param("t", tenantId.value())
        .param("id", agentId).update();
  }

  void savePlacement(TenantId tenantId, UUID agentId, String placementJson, UUID gatewayTokenSecret, Instant now) {
    jdbc.sql("""
        update agents set placement = :p, gateway_token = :g, updated_at = :now where tenant_id = :t and id = :id""")
        .param("p", placementJson).param("g", gatewayTokenSecret).param("now", Jdbc.timestamp(now))
        .param("t", tenantId.value()).param("id", agentId).update();
  }

  /** The configuration version this start uses. */
  void setConfigStarted(TenantId tenantId, UUID agentId, int version) {
    jdbc.sql("update agents set config_started = :v where tenant_id = :t and id = :id")
        .param("v", version).param("t", tenantId.value()).param("id", agentId).update();
  }

  /** The agent became ready: the version this start used is good. */
  void markConfigGood(TenantId tenantId, UUID agentId) {
    jdbc.sql("update agents set config_good = config_started where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", agentId).update();
  }

  /** @param started the version the current start used; {@code good} the last one it became ready with (null: none) */
  record ConfigVersions(Integer started, Integer good) {}

  ConfigVersions configVersions(TenantId tenantId, UUID agentId) {
    return jdbc.sql("select config_started, config_good from agents where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", agentId)
        .query((rs, n) -> new ConfigVersions((Integer) rs.getObject("config_started", Integer.class),
            (Integer) rs.getObject("config_good", Integer.class))).optional().orElse(new ConfigVersions(null, null));
  }

  void markStarted(TenantId tenantId, UUID agentId, Instant now) {
    jdbc.sql("""
        update agents set started_at = :now, last_activity_at = :now, updated_at = :now
        where tenant_id = :t and id = :id""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", agentId).update();
  }

  void touch(TenantId tenantId, UUID agentId, Instant now) {
    jdbc.sql("update agents set last_activity_at = :now where tenant_id = :t and id = :id")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", agentId).update();
  }

  void recordCrash(TenantId tenantId, UUID agentId, int crashCount, Instant nextAttempt, Instant now) {
    jdbc.sql("""
        update agents set crash_count = :c, next_attempt_at = :next, updated_at = :now
        where tenant_id = :t and id = :id""")
        .param("c", crashCount).param("next", Jdbc.timestamp(nextAttempt)).param("now", Jdbc.timestamp(now))
        .param("t", tenantId.value()).param("id", agentId).update();
  }

  void resetCrashes(TenantId tenantId, UUID agentId) {
    jdbc.sql("update agents set crash_count = 0, next_attempt_at = null where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", agentId).update();
  }

  /** Asks the reconciler to move the agent to {@code version} at its next idle moment (null: stay). */
  void requestMove(TenantId tenantId, UUID agentId, String version, String note, Instant now) {
    jdbc.sql("""
        update agents set move_to_version = :v, move_note = :note, updated_at = :now
        where tenant_id = :t and id = :id""")
        .param("v", version).param("note", note).param("now", Jdbc.timestamp(now)).param("t", tenantId.value())
        .param("id", agentId).update();
  }

  /**
   * The agent runs {@code version} from its next start, with a clean crash history, and an event says so. The move
   * it was asked for is cleared only if it asked for this version: a rollback asked for meanwhile stays.
   */
  void switchVersion(TenantId tenantId, UUID agentId, String version, AgentState current, String event,
      String replica, Instant now) {
    jdbc.sql("""
        update agents set runtime_version = :v, crash_count = 0, next_attempt_at = null, updated_at = :now,
          move_note = case when move_to_version = :v then null else move_note end,
          move_to_version = case when move_to_version = :v then null else move_to_version end
        where tenant_id = :t and id = :id""")
        .param("v", version).param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", agentId)
        .update();
    jdbc.sql("""
        insert into agent_events (tenant_id, agent_id, occurred_at, state, reason, replica)
        values (:t, :id, :now, :s, :r, :replica)""")
        .param("t", tenantId.value()).param("id", agentId).param("now", Jdbc.timestamp(now))
        .param("s", current.stored()).param("r", truncate(event)).param("replica", replica).update();
  }

  /** Drops a move to the version the agent already runs (a rollback of a move that never happened). */
  void dropMoveToCurrentVersion(TenantId tenantId, UUID agentId) {
    jdbc.sql("""
        update agents set move_to_version = null, move_note = null
        where tenant_id = :t and id = :id and move_to_version = runtime_version""")
        .param("t", tenantId.value()).param("id", agentId).update();
  }

  /** Platform scope only: live agents of a runtime by the version they run. */
  java.util.Map<String, Long> countLiveByVersion(String runtime) {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    jdbc.sql("""
        select runtime_version, count(*) n from agents where runtime = :r and deleted_at is null
        group by runtime_version""").param("r", runtime)
        .query((rs, n) -> counts.put(rs.getString("runtime_version"), rs.getLong("n"))).list();
    return counts;
  }

  /** Platform scope only: live agents of a runtime, across tenants. */
  List<AgentRow> liveOfRuntime(String runtime) {
    return jdbc.sql("select * from agents where runtime = :r and deleted_at is null order by tenant_id, id")
        .param("r", runtime).query((rs, n) -> map(rs)).list();
  }

  /** Platform scope only: one agent whatever its tenant, deleted or not. */
  Optional<AgentRow> findAcrossTenants(UUID agentId) {
    return jdbc.sql("select * from agents where id = :id").param("id", agentId).query((rs, n) -> map(rs)).optional();
  }

  void delete(TenantId tenantId, UUID agentId) {
    jdbc.sql("delete from agent_events where tenant_id = :t and agent_id = :id")
        .param("t", tenantId.value()).param("id", agentId).update();
    jdbc.sql("delete from agents where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", agentId).update();
  }

  List<AgentEvent> events(TenantId tenantId, UUID agentId, int limit) {
    return jdbc.sql("""
        select * from agent_events where tenant_id = :t and agent_id = :id order by seq desc limit :limit""")
        .param("t", tenantId.value()).param("id", agentId).param("limit", limit)
        .query(AgentRepository::event).list();
  }

  private static AgentEvent event(ResultSet rs, int row) throws SQLException {
    // the API's state name: an idle stop is "stopped" there
    return new AgentEvent(rs.getLong("seq"), Jdbc.instant(rs, "occurred_at"),
        AgentState.of(rs.getString("state"), rs.getString("reason")).name(), rs.getString("reason"));
  }

  /** Events after {@code afterSeq}, oldest first. */
  List<AgentEvent> eventsAfter(TenantId tenantId, UUID agentId, long afterSeq) {
    return jdbc.sql("""
        select * from agent_events where tenant_id = :t and agent_id = :id and seq > :after order by seq""")
        .param("t", tenantId.value()).param("id", agentId).param("after", afterSeq)
        .query(AgentRepository::event).list();
  }

  // --- the reconciler's view: platform scope, across tenants ---

  /** Platform scope only: every agent the reconciler may have to act on. */
  List<AgentRow> allAcrossTenants() {
    return jdbc.sql("select * from agents order by id").query((rs, n) -> map(rs)).list();
  }

  /**
   * Platform scope only. Takes (or renews) the right to act on one agent until {@code until}; false if another
   * replica holds it. One conditional update, so two replicas can never both win.
   */
  boolean acquireLease(UUID agentId, String owner, Instant now, Instant until) {
    return jdbc.sql("""
        update agents set lease_owner = :o, lease_until = :until
        where id = :id and (lease_owner is null or lease_owner = :o or lease_until < :now)""")
        .param("o", owner).param("until", Jdbc.timestamp(until)).param("id", agentId)
        .param("now", Jdbc.timestamp(now)).update() == 1;
  }

  void releaseLease(UUID agentId, String owner) {
    jdbc.sql("update agents set lease_owner = null, lease_until = null where id = :id and lease_owner = :o")
        .param("id", agentId).param("o", owner).update();
  }

  /** Platform scope only: agents whose tenant no longer exists. */
  List<AgentRow> orphansAcrossTenants() {
    return jdbc.sql("""
        select * from agents a where not exists (select 1 from tenants t where t.id = a.tenant_id)""")
        .query((rs, n) -> map(rs)).list();
  }

  private static String truncate(String s) {
    return s == null ? "" : s.length() > 500 ? s.substring(0, 497) + "..." : s;
  }

  private static AgentRow map(ResultSet rs) throws SQLException {
    return new AgentRow(Jdbc.uuid(rs, "id"), new TenantId(Jdbc.uuid(rs, "tenant_id")), rs.getString("name"),
        rs.getString("runtime"), rs.getString("runtime_version"), rs.getString("model"),
        DesiredState.valueOf(rs.getString("desired_state")),
        AgentState.of(rs.getString("state"), rs.getString("state_reason")), Jdbc.instant(rs, "state_changed_at"),
        rs.getString("placement"), Jdbc.uuid(rs, "gateway_token"), Jdbc.instant(rs, "started_at"),
        Jdbc.instant(rs, "last_activity_at"), rs.getInt("crash_count"), Jdbc.instant(rs, "next_attempt_at"),
        Jdbc.instant(rs, "deleted_at"), Jdbc.instant(rs, "created_at"), rs.getString("move_to_version"),
        rs.getString("move_note"));
  }
}
