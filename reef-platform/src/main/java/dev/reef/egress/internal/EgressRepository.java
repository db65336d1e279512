package dev.reef.egress.internal;

import dev.reef.common.TenantId;
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

/**
 * Allowlists (a plan's default, a tenant's override) and the log of agents' outbound connections. Tenant-owned
 * rows carry the tenant first, as everywhere.
 */
@Repository
@Transactional
class EgressRepository {

  private final JdbcClient jdbc;
  private final JsonMapper json;

  EgressRepository(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** The operator's allowlist for this tenant, when set (an empty list is "nothing", not "follow the plan"). */
  Optional<List<EgressRule>> tenantOverride(TenantId tenantId) {
    return jdbc.sql("select rules from tenant_egress where tenant_id = :t").param("t", tenantId.value())
        .query(String.class).optional().map(this::read);
  }

  void setTenantOverride(TenantId tenantId, List<EgressRule> rules, Instant now) {
    int updated = jdbc.sql("update tenant_egress set rules = :r, updated_at = :now where tenant_id = :t")
        .param("t", tenantId.value()).param("r", write(rules)).param("now", Jdbc.timestamp(now)).update();
    if (updated == 0) {
      jdbc.sql("insert into tenant_egress (tenant_id, rules, updated_at) values (:t, :r, :now)")
          .param("t", tenantId.value()).param("r", write(rules)).param("now", Jdbc.timestamp(now)).update();
    }
  }

  void removeTenantOverride(TenantId tenantId) {
    jdbc.sql("delete from tenant_egress where tenant_id = :t").param("t", tenantId.value()).update();
  }

  Optional<List<EgressRule>> plan(String planId) {
    return jdbc.sql("select rules from plan_egress where plan_id = :p").param("p", planId)
        .query(String.class).optional().map(this::read);
  }

  boolean planExists(String planId) {
    return jdbc.sql("select count(*) from plans where id = :p").param("p", planId).query(Long.class).single() > 0;
  }

  void setPlan(String planId, List<EgressRule> rules, Instant now) {
    int updated = jdbc.sql("update plan_egress set rules = :r, updated_at = :now where plan_id = :p")
        .param("p", planId).param("r", write(rules)).param("now", Jdbc.timestamp(now)).update();
    if (updated == 0) {
      jdbc.sql("insert into plan_egress (plan_id, rules, updated_at) values (:p, :r, :now)")
          .param("p", planId).param("r", write(rules)).param("now", Jdbc.timestamp(now)).update();
    }
  }

  /** One outbound connection (or refusal) of an agent, recorded when it ends. */
  record Connection(long id, UUID agentId, String host, int port, String address, boolean allowed, String reason,
      long bytesOut, long bytesIn, Instant startedAt, Instant endedAt) {}

  void record(TenantId tenantId, Connection c) {
    jdbc.sql("""
        insert into egress_connections (tenant_id, agent_id, host, port, address, allowed, reason, bytes_out,
          bytes_in, started_at, ended_at)
        values (:t, :a, :host, :port, :address, :allowed, :reason, :out, :in, :started, :ended)""")
        .param("t", tenantId.value()).param("a", c.agentId()).param("host", truncate(c.host(), 253))
        .param("port", c.port()).param("address", c.address()).param("allowed", c.allowed())
        .param("reason", truncate(c.reason(), 300)).param("out", c.bytesOut()).param("in", c.bytesIn())
        .param("started", Jdbc.timestamp(c.startedAt())).param("ended", Jdbc.timestamp(c.endedAt())).update();
  }

  /** The tenant's connections, newest first, older than {@code before} (an id) when given. */
  List<Connection> connections(TenantId tenantId, Long before, int limit) {
    return jdbc.sql("""
        select * from egress_connections where tenant_id = :t and id < :before
        order by id desc limit :limit""")
        .param("t", tenantId.value()).param("before", before == null ? Long.MAX_VALUE : before).param("limit", limit)
        .query((rs, n) -> new Connection(rs.getLong("id"), Jdbc.uuid(rs, "agent_id"), rs.getString("host"),
            rs.getInt("port"), rs.getString("address"), rs.getBoolean("allowed"), rs.getString("reason"),
            rs.getLong("bytes_out"), rs.getLong("bytes_in"), Jdbc.instant(rs, "started_at"),
            Jdbc.instant(rs, "ended_at")))
        .list();
  }

  /** Bytes and connections by a key ({@code day}, {@code agent} or {@code host}) between two instants. */
  record UsageRow(String key, long connections, long denied, long bytesOut, long bytesIn) {}

  List<UsageRow> usage(TenantId tenantId, Instant from, Instant to, String groupBy) {
    String key = switch (groupBy) {
      case "agent" -> "cast(agent_id as varchar(36))";
      case "host" -> "host";
      default -> "cast(cast(started_at as date) as varchar(10))";
    };
    return jdbc.sql("select " + key + " as k, count(*) as connections, "
            + "sum(case when allowed then 0 else 1 end) as denied, sum(bytes_out) as bytes_out, "
            + "sum(bytes_in) as bytes_in from egress_connections "
            + "where tenant_id = :t and started_at >= :from and started_at < :to group by " + key + " order by 1")
        .param("t", tenantId.value()).param("from", Jdbc.timestamp(from)).param("to", Jdbc.timestamp(to))
        .query((rs, n) -> new UsageRow(rs.getString("k"), rs.getLong("connections"), rs.getLong("denied"),
            rs.getLong("bytes_out"), rs.getLong("bytes_in")))
        .list();
  }

  private List<EgressRule> read(String stored) {
    List<EgressRule> rules = new ArrayList<>();
    for (JsonNode entry : json.readTree(stored)) {
      List<Integer> ports = new ArrayList<>();
      entry.path("ports").forEach(p -> ports.add(p.asInt()));
      rules.add(new EgressRule(entry.path("host").asString(), ports));
    }
    return List.copyOf(rules);
  }

  private String write(List<EgressRule> rules) {
    ArrayNode array = json.createArrayNode();
    for (EgressRule rule : rules) {
      var entry = array.addObject();
      entry.put("host", rule.host());
      rule.ports().forEach(entry.putArray("ports")::add);
    }
    return json.writeValueAsString(array);
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
