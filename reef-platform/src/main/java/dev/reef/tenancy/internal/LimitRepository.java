package dev.reef.tenancy.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import dev.reef.tenancy.LimitName;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Plan limits (platform-level) and tenant overrides (tenant-owned), both stored as one row per limit that is set.
 * A missing row inherits; a row with a null value means unlimited.
 */
@Repository
@Transactional
class LimitRepository {

  private final JdbcClient jdbc;

  LimitRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record PlanRow(String id, String displayName, Instant createdAt) {}

  Map<LimitName, String> overrides(TenantId tenantId) {
    Map<LimitName, String> values = new EnumMap<>(LimitName.class);
    jdbc.sql("select limit_name, limit_value from tenant_limit_overrides where tenant_id = :t")
        .param("t", tenantId.value())
        .query(rs -> {
          Optional<LimitName> name = known(rs.getString("limit_name"));
          if (name.isPresent()) {
            values.put(name.get(), rs.getString("limit_value"));
          }
        });
    return values;
  }

  void replaceOverrides(TenantId tenantId, Map<LimitName, String> overrides) {
    jdbc.sql("delete from tenant_limit_overrides where tenant_id = :t").param("t", tenantId.value()).update();
    overrides.forEach((name, value) -> jdbc.sql("""
        insert into tenant_limit_overrides (tenant_id, limit_name, limit_value) values (:t, :n, :v)""")
        .param("t", tenantId.value()).param("n", name.json()).param("v", value).update());
  }

  Map<LimitName, String> planLimits(String planId) {
    Map<LimitName, String> values = new EnumMap<>(LimitName.class);
    jdbc.sql("select limit_name, limit_value from plan_limits where plan_id = :p").param("p", planId)
        .query(rs -> {
          Optional<LimitName> name = known(rs.getString("limit_name"));
          if (name.isPresent()) {
            values.put(name.get(), rs.getString("limit_value"));
          }
        });
    return values;
  }

  Optional<PlanRow> plan(String planId) {
    return jdbc.sql("select * from plans where id = :id").param("id", planId)
        .query((rs, n) -> new PlanRow(rs.getString("id"), rs.getString("display_name"),
            Jdbc.instant(rs, "created_at"))).optional();
  }

  List<PlanRow> plans() {
    return jdbc.sql("select * from plans order by id")
        .query((rs, n) -> new PlanRow(rs.getString("id"), rs.getString("display_name"),
            Jdbc.instant(rs, "created_at"))).list();
  }

  void upsertPlan(String planId, String displayName, Map<LimitName, String> limits, Instant now) {
    int updated = jdbc.sql("update plans set display_name = :name where id = :id")
        .param("name", displayName).param("id", planId).update();
    if (updated == 0) {
      jdbc.sql("insert into plans (id, display_name, created_at) values (:id, :name, :now)")
          .param("id", planId).param("name", displayName).param("now", Jdbc.timestamp(now)).update();
    }
    jdbc.sql("delete from plan_limits where plan_id = :p").param("p", planId).update();
    limits.forEach((name, value) -> jdbc.sql(
            "insert into plan_limits (plan_id, limit_name, limit_value) values (:p, :n, :v)")
        .param("p", planId).param("n", name.json()).param("v", value).update());
  }

  /** Rows for limits this version does not know (written by a newer Reef) are ignored rather than fatal. */
  private static Optional<LimitName> known(String name) {
    for (LimitName l : LimitName.values()) {
      if (l.json().equals(name)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }
}
