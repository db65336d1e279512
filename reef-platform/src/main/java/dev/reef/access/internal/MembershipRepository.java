package dev.reef.access.internal;

import dev.reef.access.Role;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.platform.Jdbc;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Tenant-owned: every method takes the tenant first and every query filters on it. */
@Repository
@Transactional
class MembershipRepository {

  private final JdbcClient jdbc;

  MembershipRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record MemberRow(TenantId tenantId, UserId userId, String email, Role role, Instant createdAt) {}

  Optional<Role> role(TenantId tenantId, UserId userId) {
    return jdbc.sql("select role from memberships where tenant_id = :t and user_id = :u")
        .param("t", tenantId.value()).param("u", userId.value())
        .query((rs, n) -> Role.valueOf(rs.getString("role"))).optional();
  }

  List<MemberRow> list(TenantId tenantId) {
    return jdbc.sql("""
        select m.tenant_id, m.user_id, u.email, m.role, m.created_at
        from memberships m join users u on u.id = m.user_id
        where m.tenant_id = :t order by m.created_at, u.email""")
        .param("t", tenantId.value())
        .query((rs, n) -> new MemberRow(tenantId, new UserId(Jdbc.uuid(rs, "user_id")), rs.getString("email"),
            Role.valueOf(rs.getString("role")), Jdbc.instant(rs, "created_at")))
        .list();
  }

  void upsert(TenantId tenantId, UserId userId, Role role, Instant now) {
    int updated = jdbc.sql("update memberships set role = :r where tenant_id = :t and user_id = :u")
        .param("r", role.name()).param("t", tenantId.value()).param("u", userId.value()).update();
    if (updated == 0) {
      jdbc.sql("insert into memberships (tenant_id, user_id, role, created_at) values (:t, :u, :r, :now)")
          .param("t", tenantId.value()).param("u", userId.value()).param("r", role.name())
          .param("now", Jdbc.timestamp(now)).update();
    }
  }

  boolean delete(TenantId tenantId, UserId userId) {
    return jdbc.sql("delete from memberships where tenant_id = :t and user_id = :u")
        .param("t", tenantId.value()).param("u", userId.value()).update() > 0;
  }

  long countOwners(TenantId tenantId) {
    return jdbc.sql("select count(*) from memberships where tenant_id = :t and role = 'OWNER'")
        .param("t", tenantId.value()).query(Long.class).single();
  }

  /** Platform scope only: the tenants one user belongs to (for their login audit and tenant picker). */
  List<dev.reef.access.UserAccounts.Membership> acrossTenants(UserId userId) {
    return jdbc.sql("select tenant_id, role from memberships where user_id = :u order by created_at")
        .param("u", userId.value())
        .query((rs, n) -> new dev.reef.access.UserAccounts.Membership(new TenantId(Jdbc.uuid(rs, "tenant_id")),
            userId, Role.valueOf(rs.getString("role"))))
        .list();
  }
}
