package dev.reef.orchestration.internal;

import dev.reef.common.TenantId;
import dev.reef.orchestration.ScheduledRun;
import dev.reef.platform.Jdbc;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/** Agents' schedules as they last reported them. Tenant first, but for the wake sweep's platform query. */
@Repository
@Transactional
class AgentScheduleRepository {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A stored schedule. */
  record Stored(TenantId tenantId, UUID agentId, List<ScheduledRun> runs, Instant nextWakeAt, Instant checkedAt,
      Instant wokenFor, Instant wokenAt) {}

  private final JdbcClient jdbc;

  AgentScheduleRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Transactional(readOnly = true)
  Optional<Stored> find(TenantId tenantId, UUID agentId) {
    return jdbc.sql("select * from agent_schedules where tenant_id = :t and agent_id = :a")
        .param("t", tenantId.value()).param("a", agentId).query((rs, n) -> stored(rs)).optional();
  }

  void save(TenantId tenantId, UUID agentId, List<ScheduledRun> runs, Instant nextWakeAt, Instant checkedAt) {
    ArrayNode array = JSON.createArrayNode();
    for (ScheduledRun run : runs) {
      array.addObject().put("name", run.name()).put("at", run.at().toString()).put("kind", run.kind().name());
    }
    String text = JSON.writeValueAsString(array);
    int updated = jdbc.sql("""
        update agent_schedules set runs = :runs, next_wake_at = :next, checked_at = :checked
        where tenant_id = :t and agent_id = :a""")
        .param("runs", text).param("next", Jdbc.timestamp(nextWakeAt)).param("checked", Jdbc.timestamp(checkedAt))
        .param("t", tenantId.value()).param("a", agentId).update();
    if (updated == 0) {
      jdbc.sql("""
          insert into agent_schedules (agent_id, tenant_id, runs, next_wake_at, checked_at)
          values (:a, :t, :runs, :next, :checked)""")
          .param("a", agentId).param("t", tenantId.value()).param("runs", text)
          .param("next", Jdbc.timestamp(nextWakeAt)).param("checked", Jdbc.timestamp(checkedAt)).update();
    }
  }

  /** Platform scope: schedules whose next waking run is due by {@code by} and that were not woken for it yet. */
  @Transactional(readOnly = true)
  List<Stored> dueAcrossTenants(Instant by) {
    return jdbc.sql("""
        select * from agent_schedules where next_wake_at is not null and next_wake_at <= :by
          and (woken_for is null or woken_for <> next_wake_at)""")
        .param("by", Jdbc.timestamp(by)).query((rs, n) -> stored(rs)).list();
  }

  /**
   * Claims the wake for the agent's next run: one replica wins, once per run, and not within {@code gapStart} of
   * the agent's last scheduled wake.
   */
  boolean claimWake(TenantId tenantId, UUID agentId, Instant runAt, Instant now, Instant gapStart) {
    return jdbc.sql("""
        update agent_schedules set woken_for = next_wake_at, woken_at = :now
        where tenant_id = :t and agent_id = :a and next_wake_at = :run
          and (woken_for is null or woken_for <> next_wake_at) and (woken_at is null or woken_at < :gap)""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("a", agentId)
        .param("run", Jdbc.timestamp(runAt)).param("gap", Jdbc.timestamp(gapStart)).update() == 1;
  }

  void delete(TenantId tenantId, UUID agentId) {
    jdbc.sql("delete from agent_schedules where tenant_id = :t and agent_id = :a")
        .param("t", tenantId.value()).param("a", agentId).update();
  }

  private static Stored stored(java.sql.ResultSet rs) throws java.sql.SQLException {
    List<ScheduledRun> runs = new ArrayList<>();
    for (JsonNode run : JSON.readTree(rs.getString("runs"))) {
      runs.add(new ScheduledRun(run.path("name").asString(), Instant.parse(run.path("at").asString()),
          ScheduledRun.Kind.valueOf(run.path("kind").asString())));
    }
    return new Stored(new TenantId(Jdbc.uuid(rs, "tenant_id")), Jdbc.uuid(rs, "agent_id"), runs,
        Jdbc.instant(rs, "next_wake_at"), Jdbc.instant(rs, "checked_at"), Jdbc.instant(rs, "woken_for"),
        Jdbc.instant(rs, "woken_at"));
  }
}
