package dev.reef.secrets.internal;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sealed secrets. A tenant's secrets are found by tenant and id; platform secrets (no tenant) only through the
 * {@code *Platform} methods, and the {@code *AcrossTenants} methods are for platform scope only (reveal by the
 * operator's code, key rotation).
 */
@Repository
@Transactional
class SecretRepository {

  private static final String TENANT_ROW = "tenant_id = :t and id = :id";
  private static final String PLATFORM_ROW = "tenant_id is null and id = :id";

  private final JdbcClient jdbc;

  SecretRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record SecretRow(UUID id, TenantId tenantId, String purpose, SealedSecret sealed, Instant createdAt,
      Instant updatedAt) {

    SecretBinding binding() {
      return new SecretBinding(id, tenantId, purpose);
    }
  }

  void insert(TenantId tenantId, SecretRow row) {
    insertRow(tenantId, row);
  }

  Optional<SecretRow> find(TenantId tenantId, UUID id) {
    return findWhere(TENANT_ROW, Map.of("t", tenantId.value(), "id", id));
  }

  boolean update(TenantId tenantId, UUID id, SealedSecret sealed, Instant now) {
    return updateWhere(TENANT_ROW, Map.of("t", tenantId.value(), "id", id), sealed, now);
  }

  boolean delete(TenantId tenantId, UUID id) {
    return deleteWhere(TENANT_ROW, Map.of("t", tenantId.value(), "id", id));
  }

  // --- platform secrets (no tenant) ---

  void insertPlatform(SecretRow row) {
    insertRow(null, row);
  }

  Optional<SecretRow> findPlatform(UUID id) {
    return findWhere(PLATFORM_ROW, Map.of("id", id));
  }

  boolean updatePlatform(UUID id, SealedSecret sealed, Instant now) {
    return updateWhere(PLATFORM_ROW, Map.of("id", id), sealed, now);
  }

  boolean deletePlatform(UUID id) {
    return deleteWhere(PLATFORM_ROW, Map.of("id", id));
  }

  // --- platform scope only: any tenant's secret, and key rotation ---

  /** Platform scope only: a secret of any tenant, or a platform secret. */
  Optional<SecretRow> findAcrossTenants(UUID id) {
    return findWhere("id = :id", Map.of("id", id));
  }

  /**
   * Platform scope only: the next secrets, in id order after {@code after} (null: from the start), whose data key is
   * wrapped under one of {@code versions}.
   */
  List<SecretRow> listUnderKeysAcrossTenants(Collection<String> versions, UUID after, int limit) {
    return jdbc.sql("""
        select * from secrets
        where key_version in (:versions) and (cast(:after as uuid) is null or id > :after)
        order by id limit :limit""")
        .param("versions", versions).param("after", after).param("limit", limit)
        .query((rs, n) -> map(rs)).list();
  }

  /**
   * Platform scope only: replaces the wrapped data key, provided the row still holds exactly the wrapping that was
   * read ({@code before}); a secret replaced meanwhile is left alone (it is already under the current key).
   */
  boolean rewrapAcrossTenants(UUID id, SealedSecret before, SealedSecret after) {
    return jdbc.sql("""
        update secrets set key_version = :version, wrapped_key = :wrapped, key_nonce = :keyNonce
        where id = :id and key_version = :beforeVersion and key_nonce = :beforeKeyNonce""")
        .param("version", after.keyVersion()).param("wrapped", after.wrappedKey())
        .param("keyNonce", after.keyNonce()).param("id", id).param("beforeVersion", before.keyVersion())
        .param("beforeKeyNonce", before.keyNonce())
        .update() > 0;
  }

  /** Platform scope only: how many secrets each master key version wraps. */
  Map<String, Long> countByKeyVersionAcrossTenants() {
    Map<String, Long> counts = new LinkedHashMap<>();
    jdbc.sql("select key_version, count(*) as n from secrets group by key_version order by key_version")
        .query(rs -> {
          counts.put(rs.getString("key_version"), rs.getLong("n"));
        });
    return counts;
  }

  private void insertRow(TenantId tenantId, SecretRow row) {
    SealedSecret sealed = row.sealed();
    jdbc.sql("""
        insert into secrets (id, tenant_id, purpose, key_version, wrapped_key, key_nonce, nonce, ciphertext,
                             created_at, updated_at)
        values (:id, :t, :purpose, :version, :wrapped, :keyNonce, :nonce, :ciphertext, :at, :at)""")
        .param("id", row.id()).param("t", tenantId == null ? null : tenantId.value())
        .param("purpose", row.purpose()).param("version", sealed.keyVersion())
        .param("wrapped", sealed.wrappedKey()).param("keyNonce", sealed.keyNonce()).param("nonce", sealed.nonce())
        .param("ciphertext", sealed.ciphertext()).param("at", Jdbc.timestamp(row.createdAt()))
        .update();
  }

  private Optional<SecretRow> findWhere(String condition, Map<String, ?> params) {
    return jdbc.sql("select * from secrets where " + condition).params(params).query((rs, n) -> map(rs))
        .optional();
  }

  private boolean updateWhere(String condition, Map<String, ?> params, SealedSecret sealed, Instant now) {
    return jdbc.sql("""
        update secrets set key_version = :version, wrapped_key = :wrapped, key_nonce = :keyNonce, nonce = :nonce,
                           ciphertext = :ciphertext, updated_at = :now
        where\s""" + condition)
        .params(params).param("version", sealed.keyVersion()).param("wrapped", sealed.wrappedKey())
        .param("keyNonce", sealed.keyNonce()).param("nonce", sealed.nonce()).param("ciphertext", sealed.ciphertext())
        .param("now", Jdbc.timestamp(now))
        .update() > 0;
  }

  private boolean deleteWhere(String condition, Map<String, ?> params) {
    return jdbc.sql("delete from secrets where " + condition).params(params).update() > 0;
  }

  private static SecretRow map(ResultSet rs) throws SQLException {
    UUID tenant = Jdbc.uuid(rs, "tenant_id");
    SealedSecret sealed = new SealedSecret(rs.getString("key_version"), rs.getBytes("wrapped_key"),
        rs.getBytes("key_nonce"), rs.getBytes("nonce"), rs.getBytes("ciphertext"));
    return new SecretRow(Jdbc.uuid(rs, "id"), tenant == null ? null : new TenantId(tenant), rs.getString("purpose"),
        sealed, Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }
}
