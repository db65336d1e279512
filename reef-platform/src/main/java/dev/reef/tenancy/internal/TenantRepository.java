package dev.reef.tenancy.internal;

import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.platform.Jdbc;
import dev.reef.tenancy.Tenant;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The tenants table. A tenant's own row is filtered by its id; listing across tenants is platform scope only. */
@Repository
@Transactional
class TenantRepository {

  private final JdbcClient jdbc;

  TenantRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(TenantId tenantId, Tenant tenant) {
    jdbc.sql("""
        insert into tenants (id, slug, display_name, status, plan_id, created_at, updated_at)
        values (:id, :slug, :name, :status, :plan, :created, :updated)""")
        .param("id", tenantId.value()).param("slug", tenant.slug()).param("name", tenant.displayName())
        .param("status", tenant.status().name()).param("plan", tenant.planId())
        .param("created", Jdbc.timestamp(tenant.createdAt())).param("updated", Jdbc.timestamp(tenant.updatedAt()))
        .update();
  }

  Optional<Tenant> find(TenantId tenantId) {
    return jdbc.sql("select * from tenants where id = :id").param("id", tenantId.value())
        .query((rs, n) -> map(rs)).optional();
  }

  /** Platform scope only. */
  java.util.Set<TenantId> suspendedAcrossTenants() {
    return java.util.Set.copyOf(jdbc.sql("select id from tenants where status = :s")
        .param("s", TenantStatus.SUSPENDED.name())
        .query((rs, n) -> new TenantId(rs.getObject("id", java.util.UUID.class))).list());
  }

  Optional<TenantStatus> status(TenantId tenantId) {
    return jdbc.sql("select status from tenants where id = :id").param("id", tenantId.value())
        .query((rs, n) -> TenantStatus.valueOf(rs.getString("status"))).optional();
  }

  void update(TenantId tenantId, String slug, String displayName, String planId, Instant now) {
    jdbc.sql("""
        update tenants set slug = :slug, display_name = :name, plan_id = :plan, updated_at = :now
        where id = :id""")
        .param("slug", slug).param("name", displayName).param("plan", planId).param("now", Jdbc.timestamp(now))
        .param("id", tenantId.value()).update();
  }

  void setStatus(TenantId tenantId, TenantStatus status, String reason, Instant now) {
    jdbc.sql("""
        update tenants set status = :status, status_reason = :reason, status_changed_at = :now, updated_at = :now
        where id = :id""")
        .param("status", status.name()).param("reason", reason).param("now", Jdbc.timestamp(now))
        .param("id", tenantId.value()).update();
  }

  boolean delete(TenantId tenantId) {
    return jdbc.sql("delete from tenants where id = :id").param("id", tenantId.value()).update() > 0;
  }

  /** Platform scope only: whether a tenant other than this one has this display name, ignoring case. */
  boolean anotherTenantNamed(TenantId tenantId, String displayName) {
    return jdbc.sql("select count(*) from tenants where lower(display_name) = lower(:name) and id <> :id")
        .param("name", displayName).param("id", tenantId.value()).query(Long.class).single() > 0;
  }

  /** Platform scope only. */
  boolean slugTakenAcrossTenants(String slug) {
    return jdbc.sql("select count(*) from tenants where slug = :slug").param("slug", slug)
        .query(Long.class).single() > 0;
  }

  /** Platform scope only: the operator's tenant table, newest first, optionally filtered. */
  List<Tenant> listAcrossTenants(String search, TenantStatus status, int limit, int offset) {
    String like = search == null || search.isBlank() ? null : "%" + search.trim().toLowerCase() + "%";
    return jdbc.sql("""
        select * from tenants
        where (cast(:like as varchar) is null or lower(slug) like :like or lower(display_name) like :like
               or cast(id as varchar) = :exact)
          and (cast(:status as varchar) is null or status = :status)
        order by created_at desc, id
        limit :limit offset :offset""")
        .param("like", like).param("exact", search == null ? null : search.trim().toLowerCase())
        .param("status", status == null ? null : status.name())
        .param("limit", limit).param("offset", offset)
        .query((rs, n) -> map(rs)).list();
  }

  private static Tenant map(ResultSet rs) throws SQLException {
    return new Tenant(new TenantId(Jdbc.uuid(rs, "id")), rs.getString("slug"), rs.getString("display_name"),
        TenantStatus.valueOf(rs.getString("status")), rs.getString("plan_id"), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "updated_at"), Jdbc.instant(rs, "status_changed_at"), rs.getString("status_reason"));
  }
}
