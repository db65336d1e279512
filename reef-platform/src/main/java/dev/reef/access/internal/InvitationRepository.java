package dev.reef.access.internal;

import dev.reef.access.Role;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
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

/** Tenant-owned: every method takes the tenant first, except the token lookup, which is platform work. */
@Repository
@Transactional
class InvitationRepository {

  private final JdbcClient jdbc;

  InvitationRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record InvitationRow(UUID id, TenantId tenantId, String email, Role role, String invitedBy, Instant createdAt,
      Instant expiresAt, Instant acceptedAt, UserId acceptedBy, Instant revokedAt) {

    /** {@code pending}, {@code accepted}, {@code revoked} or {@code expired}. */
    String status(Instant now) {
      if (acceptedAt != null) {
        return "accepted";
      }
      if (revokedAt != null) {
        return "revoked";
      }
      return now.isBefore(expiresAt) ? "pending" : "expired";
    }
  }

  void insert(TenantId tenantId, InvitationRow row, String tokenHash) {
    jdbc.sql("""
        insert into invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at)
        values (:id, :t, :email, :role, :hash, :by, :created, :expires)""")
        .param("id", row.id()).param("t", tenantId.value()).param("email", row.email())
        .param("role", row.role().name()).param("hash", tokenHash).param("by", row.invitedBy())
        .param("created", Jdbc.timestamp(row.createdAt())).param("expires", Jdbc.timestamp(row.expiresAt()))
        .update();
  }

  /** Newest first. */
  List<InvitationRow> list(TenantId tenantId, int limit) {
    return jdbc.sql("select * from invitations where tenant_id = :t order by created_at desc limit :limit")
        .param("t", tenantId.value()).param("limit", limit).query((rs, n) -> map(rs)).list();
  }

  Optional<InvitationRow> find(TenantId tenantId, UUID id) {
    return jdbc.sql("select * from invitations where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", id).query((rs, n) -> map(rs)).optional();
  }

  /** Platform scope only: the invitation a token belongs to, in whichever tenant. */
  Optional<InvitationRow> findByTokenHashAcrossTenants(String tokenHash) {
    return jdbc.sql("select * from invitations where token_hash = :hash").param("hash", tokenHash)
        .query((rs, n) -> map(rs)).optional();
  }

  /** Revokes every pending invitation for this address (a new one replaces them). */
  int revokePendingFor(TenantId tenantId, String email, Instant now) {
    return jdbc.sql("""
        update invitations set revoked_at = :now
        where tenant_id = :t and email = :email and accepted_at is null and revoked_at is null""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("email", email).update();
  }

  boolean revoke(TenantId tenantId, UUID id, Instant now) {
    return jdbc.sql("""
        update invitations set revoked_at = :now
        where tenant_id = :t and id = :id and accepted_at is null and revoked_at is null""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", id).update() > 0;
  }

  /** Marks it used, once: false when it was accepted, revoked or expired in the meantime. */
  boolean markAccepted(TenantId tenantId, UUID id, UserId userId, Instant now) {
    return jdbc.sql("""
        update invitations set accepted_at = :now, accepted_by = :user
        where tenant_id = :t and id = :id and accepted_at is null and revoked_at is null and expires_at > :now""")
        .param("now", Jdbc.timestamp(now)).param("user", userId.value()).param("t", tenantId.value())
        .param("id", id).update() > 0;
  }

  private static InvitationRow map(ResultSet rs) throws SQLException {
    UUID acceptedBy = Jdbc.uuid(rs, "accepted_by");
    return new InvitationRow(Jdbc.uuid(rs, "id"), new TenantId(Jdbc.uuid(rs, "tenant_id")), rs.getString("email"),
        Role.valueOf(rs.getString("role")), rs.getString("invited_by"), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "expires_at"), Jdbc.instant(rs, "accepted_at"),
        acceptedBy == null ? null : new UserId(acceptedBy), Jdbc.instant(rs, "revoked_at"));
  }
}
