package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Runtime rollouts, the agents each covers, the version new agents get, and tenants' pins. Rollouts and defaults
 * are the operator's (platform scope); a pin is its tenant's, with the tenant first as everywhere.
 */
@Repository
@Transactional
class RolloutRepository {

  private final JdbcClient jdbc;

  RolloutRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  // --- rollouts (platform scope) ---

  /** Fails with a duplicate key when the runtime has an active rollout already. */
  void insert(RolloutRow r) {
    jdbc.sql("""
        insert into runtime_rollouts (id, runtime, target_version, scope_tenants, canary_percent, canary_tenants,
          batch_size, pause_seconds, state, active_runtime, reason, started_by, created_at, updated_at)
        values (:id, :runtime, :target, :scope, :pct, :canary, :size, :pause, :state, :runtime, :reason, :by, :now,
          :now)""")
        .param("id", r.id()).param("runtime", r.runtime()).param("target", r.targetVersion())
        .param("scope", joined(r.scopeTenants())).param("pct", r.canaryPercent())
        .param("canary", joined(r.canaryTenants())).param("size", r.batchSize()).param("pause", r.pauseSeconds())
        .param("state", r.state().json()).param("reason", r.reason()).param("by", r.startedBy())
        .param("now", Jdbc.timestamp(r.createdAt())).update();
  }

  Optional<RolloutRow> find(UUID id) {
    return jdbc.sql("select * from runtime_rollouts where id = :id").param("id", id)
        .query(RolloutRepository::rollout).optional();
  }

  List<RolloutRow> list(int limit) {
    return jdbc.sql("select * from runtime_rollouts order by created_at desc limit :limit").param("limit", limit)
        .query(RolloutRepository::rollout).list();
  }

  /** Rollouts that are running or paused: at most one per runtime. */
  List<RolloutRow> active() {
    return jdbc.sql("select * from runtime_rollouts where state in ('running', 'paused') order by created_at")
        .query(RolloutRepository::rollout).list();
  }

  /** What the driver looks at: active rollouts, and failed ones whose agents are still being moved back. */
  List<RolloutRow> driven() {
    return jdbc.sql("""
        select * from runtime_rollouts r where state in ('running', 'paused')
          or exists (select 1 from runtime_rollout_agents a where a.rollout_id = r.id and a.state = 'rolling_back')
        order by created_at""").query(RolloutRepository::rollout).list();
  }

  void setState(UUID id, RolloutRow.State state, String reason, Instant now) {
    jdbc.sql("""
        update runtime_rollouts set state = :s, reason = :r, updated_at = :now,
          active_runtime = case when :active then runtime else null end where id = :id""")
        .param("s", state.json()).param("active", state.active()).param("r", truncate(reason, 1000))
        .param("now", Jdbc.timestamp(now))
        .param("id", id).update();
  }

  /** Moves on to {@code batch}, not before {@code notBefore}. */
  void setBatch(UUID id, int batch, int batchCount, Instant notBefore, String reason, Instant now) {
    jdbc.sql("""
        update runtime_rollouts set current_batch = :b, batch_count = :n, next_batch_at = :next, reason = :r,
          updated_at = :now where id = :id""")
        .param("b", batch).param("n", batchCount).param("next", Jdbc.timestamp(notBefore))
        .param("r", truncate(reason, 1000)).param("now", Jdbc.timestamp(now)).param("id", id).update();
  }

  /** The right to drive one rollout until {@code until}; false while another replica holds it. */
  boolean acquireLease(UUID id, String owner, Instant now, Instant until) {
    return jdbc.sql("""
        update runtime_rollouts set lease_owner = :o, lease_until = :until
        where id = :id and (lease_owner is null or lease_owner = :o or lease_until < :now)""")
        .param("o", owner).param("until", Jdbc.timestamp(until)).param("id", id).param("now", Jdbc.timestamp(now))
        .update() == 1;
  }

  // --- the agents a rollout covers (platform scope) ---

  void insertAgent(UUID rolloutId, RolloutAgent a, Instant now) {
    jdbc.sql("""
        insert into runtime_rollout_agents (rollout_id, agent_id, tenant_id, batch, from_version, state, reason,
          updated_at) values (:r, :a, :t, :b, :from, :s, :reason, :now)""")
        .param("r", rolloutId).param("a", a.agentId()).param("t", a.tenantId().value()).param("b", a.batch())
        .param("from", a.fromVersion()).param("s", a.state().json()).param("reason", a.reason())
        .param("now", Jdbc.timestamp(now)).update();
  }

  List<RolloutAgent> agents(UUID rolloutId) {
    return jdbc.sql("select * from runtime_rollout_agents where rollout_id = :r order by batch, tenant_id, agent_id")
        .param("r", rolloutId).query(RolloutRepository::agent).list();
  }

  void setAgentState(UUID rolloutId, UUID agentId, RolloutAgent.State state, String reason, Instant now) {
    jdbc.sql("""
        update runtime_rollout_agents set state = :s, reason = :reason, updated_at = :now
        where rollout_id = :r and agent_id = :a""")
        .param("s", state.json()).param("reason", truncate(reason, 500)).param("now", Jdbc.timestamp(now))
        .param("r", rolloutId).param("a", agentId).update();
  }

  /** How many agents of each rollout are in each state, for lists and the dashboard. */
  Map<UUID, Map<RolloutAgent.State, Integer>> counts(List<UUID> rolloutIds) {
    if (rolloutIds.isEmpty()) {
      return Map.of();
    }
    Map<UUID, Map<RolloutAgent.State, Integer>> counts = new java.util.HashMap<>();
    jdbc.sql("""
        select rollout_id, state, count(*) n from runtime_rollout_agents where rollout_id in (:ids)
        group by rollout_id, state""").param("ids", rolloutIds).query((rs, n) -> {
          counts.computeIfAbsent(Jdbc.uuid(rs, "rollout_id"), k -> new java.util.EnumMap<>(RolloutAgent.State.class))
              .put(RolloutAgent.State.of(rs.getString("state")), rs.getInt("n"));
          return null;
        }).list();
    return counts;
  }

  // --- the version new agents get (platform scope) ---

  Optional<String> defaultVersion(String runtime) {
    return jdbc.sql("select version from runtime_defaults where runtime = :r").param("r", runtime)
        .query(String.class).optional();
  }

  void setDefaultVersion(String runtime, String version, UUID rolloutId, Instant now) {
    if (jdbc.sql("update runtime_defaults set version = :v, rollout_id = :id, updated_at = :now where runtime = :r")
        .param("v", version).param("id", rolloutId).param("now", Jdbc.timestamp(now)).param("r", runtime)
        .update() == 0) {
      jdbc.sql("""
          insert into runtime_defaults (runtime, version, rollout_id, updated_at) values (:r, :v, :id, :now)""")
          .param("r", runtime).param("v", version).param("id", rolloutId).param("now", Jdbc.timestamp(now))
          .update();
    }
  }

  // --- pins (tenant-owned) ---

  /** A tenant's pin of a runtime, expired or not. */
  Optional<RuntimePin> pin(TenantId tenantId, String runtime) {
    return jdbc.sql("select * from runtime_pins where tenant_id = :t and runtime = :r")
        .param("t", tenantId.value()).param("r", runtime).query(RolloutRepository::pin).optional();
  }

  List<RuntimePin> pins(TenantId tenantId) {
    return jdbc.sql("select * from runtime_pins where tenant_id = :t order by runtime")
        .param("t", tenantId.value()).query(RolloutRepository::pin).list();
  }

  void savePin(TenantId tenantId, RuntimePin pin, Instant now) {
    jdbc.sql("delete from runtime_pins where tenant_id = :t and runtime = :r")
        .param("t", tenantId.value()).param("r", pin.runtime()).update();
    jdbc.sql("""
        insert into runtime_pins (tenant_id, runtime, version, pinned_until, created_at)
        values (:t, :r, :v, :until, :now)""")
        .param("t", tenantId.value()).param("r", pin.runtime()).param("v", pin.version())
        .param("until", Jdbc.timestamp(pin.until())).param("now", Jdbc.timestamp(now)).update();
  }

  boolean deletePin(TenantId tenantId, String runtime) {
    return jdbc.sql("delete from runtime_pins where tenant_id = :t and runtime = :r")
        .param("t", tenantId.value()).param("r", runtime).update() > 0;
  }

  /** Platform scope only: the tenants whose pin of {@code runtime} holds at {@code now}. */
  List<TenantId> pinnedTenants(String runtime, Instant now) {
    return jdbc.sql("select tenant_id from runtime_pins where runtime = :r and pinned_until > :now")
        .param("r", runtime).param("now", Jdbc.timestamp(now))
        .query((rs, n) -> new TenantId(Jdbc.uuid(rs, "tenant_id"))).list();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static RolloutRow rollout(ResultSet rs, int n) throws SQLException {
    return new RolloutRow(Jdbc.uuid(rs, "id"), rs.getString("runtime"), rs.getString("target_version"),
        tenants(rs.getString("scope_tenants")), (Integer) rs.getObject("canary_percent", Integer.class),
        tenants(rs.getString("canary_tenants")), rs.getInt("batch_size"), rs.getInt("pause_seconds"),
        RolloutRow.State.of(rs.getString("state")), rs.getString("reason"), rs.getInt("current_batch"),
        rs.getInt("batch_count"), Jdbc.instant(rs, "next_batch_at"), rs.getString("started_by"),
        Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }

  private static RolloutAgent agent(ResultSet rs, int n) throws SQLException {
    return new RolloutAgent(Jdbc.uuid(rs, "agent_id"), new TenantId(Jdbc.uuid(rs, "tenant_id")), rs.getInt("batch"),
        rs.getString("from_version"), RolloutAgent.State.of(rs.getString("state")), rs.getString("reason"),
        Jdbc.instant(rs, "updated_at"));
  }

  private static RuntimePin pin(ResultSet rs, int n) throws SQLException {
    return new RuntimePin(rs.getString("runtime"), rs.getString("version"), Jdbc.instant(rs, "pinned_until"));
  }

  private static String joined(List<TenantId> tenants) {
    return tenants == null ? null : tenants.stream().map(TenantId::toString).collect(Collectors.joining(","));
  }

  private static List<TenantId> tenants(String joined) {
    return joined == null ? null : joined.isEmpty() ? List.of()
        : Arrays.stream(joined.split(",")).map(s -> new TenantId(UUID.fromString(s))).toList();
  }

  private static String truncate(String s, int max) {
    return s == null ? null : s.length() > max ? s.substring(0, max - 3) + "..." : s;
  }
}
