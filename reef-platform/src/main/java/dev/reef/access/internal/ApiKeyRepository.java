package dev.reef.access.internal;

import dev.reef.access.ApiKeyScope;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.platform.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Tenant API keys (tenant-owned) and operator API keys (platform-level), stored by hash only. */
@Repository
@Transactional
class ApiKeyRepository {

  private final JdbcClient jdbc;

  ApiKeyRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record KeyRow(UUID id, TenantId tenantId, String name, String hint, Set<ApiKeyScope> scopes, UserId createdBy,
      Instant createdAt, Instant lastUsedAt, Instant revokedAt) {}

  void insert(TenantId tenantId, KeyRow row, String hash) {
    jdbc.sql("""
        insert into tenant_api_keys (id, tenant_id, name, key_hash, key_hint, scopes, created_by, created_at)
        values (:id, :t, :name, :hash, :hint, :scopes, :by, :at)""")
        .param("id", row.id()).param("t", tenantId.value()).param("name", row.name()).param("hash", hash)
        .param("hint", row.hint()).param("scopes", encode(row.scopes()))
        .param("by", row.createdBy() == null ? null : row.createdBy().value())
        .param("at", Jdbc.timestamp(row.createdAt()))
        .update();
  }

  List<KeyRow> list(TenantId tenantId) {
    return jdbc.sql("select * from tenant_api_keys where tenant_id = :t order by created_at desc")
        .param("t", tenantId.value()).query((rs, n) -> map(rs)).list();
  }

  Optional<KeyRow> find(TenantId tenantId, UUID keyId) {
    return jdbc.sql("select * from tenant_api_keys where tenant_id = :t and id = :id")
        .param("t", tenantId.value()).param("id", keyId).query((rs, n) -> map(rs)).optional();
  }

  boolean revoke(TenantId tenantId, UUID keyId, Instant now) {
    return jdbc.sql("""
        update tenant_api_keys set revoked_at = :now
        where tenant_id = :t and id = :id and revoked_at is null""")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", keyId).update() > 0;
  }

  void touch(TenantId tenantId, UUID keyId, Instant now) {
    jdbc.sql("update tenant_api_keys set last_used_at = :now where tenant_id = :t and id = :id")
        .param("now", Jdbc.timestamp(now)).param("t", tenantId.value()).param("id", keyId).update();
  }

  /** Platform scope only: resolving a presented secret, before anyone knows which tenant it belongs to. */
  Optional<KeyRow> findActiveByHashAcrossTenants(String hash) {
    return jdbc.sql("select * from tenant_api_keys where key_hash = :h and revoked_at is null")
        .param("h", hash).query((rs, n) -> map(rs)).optional();
  }

  // --- operator keys (platform-level) ---

  void insertOperatorKey(KeyRow row, String hash) {
    jdbc.sql("""
        insert into operator_api_keys (id, name, key_hash, key_hint, created_by, created_at)
        values (:id, :name, :hash, :hint, :by, :at)""")
        .param("id", row.id()).param("name", row.name()).param("hash", hash).param("hint", row.hint())
        .param("by", row.createdBy() == null ? null : row.createdBy().value())
        .param("at", Jdbc.timestamp(row.createdAt()))
        .update();
  }

  List<KeyRow> listOperatorKeys() {
    return jdbc.sql("select * from operator_api_keys order by created_at desc").query((rs, n) -> mapOperator(rs))
        .list();
  }

  Optional<KeyRow> findActiveOperatorKeyByHash(String hash) {
    return jdbc.sql("select * from operator_api_keys where key_hash = :h and revoked_at is null")
        .param("h", hash).query((rs, n) -> mapOperator(rs)).optional();
  }

  Optional<KeyRow> findOperatorKey(UUID keyId) {
    return jdbc.sql("select * from operator_api_keys where id = :id").param("id", keyId)
        .query((rs, n) -> mapOperator(rs)).optional();
  }

  boolean revokeOperatorKey(UUID keyId, Instant now) {
    return jdbc.sql("update operator_api_keys set revoked_at = :now where id = :id and revoked_at is null")
        .param("now", Jdbc.timestamp(now)).param("id", keyId).update() > 0;
  }

  void touchOperatorKey(UUID keyId, Instant now) {
    jdbc.sql("update operator_api_keys set last_used_at = :now where id = :id")
        .param("now", Jdbc.timestamp(now)).param("id", keyId).update();
  }

  static String encode(Set<ApiKeyScope> scopes) {
    return scopes.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
  }

  static Set<ApiKeyScope> decode(String text) {
    if (text == null || text.isBlank()) {
      return EnumSet.noneOf(ApiKeyScope.class);
    }
    return Arrays.stream(text.split(",")).map(ApiKeyScope::valueOf)
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(ApiKeyScope.class)));
  }

  private static KeyRow map(ResultSet rs) throws SQLException {
    UUID by = Jdbc.uuid(rs, "created_by");
    return new KeyRow(Jdbc.uuid(rs, "id"), new TenantId(Jdbc.uuid(rs, "tenant_id")), rs.getString("name"),
        rs.getString("key_hint"), decode(rs.getString("scopes")), by == null ? null : new UserId(by),
        Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "last_used_at"), Jdbc.instant(rs, "revoked_at"));
  }

  private static KeyRow mapOperator(ResultSet rs) throws SQLException {
    UUID by = Jdbc.uuid(rs, "created_by");
    return new KeyRow(Jdbc.uuid(rs, "id"), null, rs.getString("name"), rs.getString("key_hint"),
        EnumSet.noneOf(ApiKeyScope.class), by == null ? null : new UserId(by), Jdbc.instant(rs, "created_at"),
        Jdbc.instant(rs, "last_used_at"), Jdbc.instant(rs, "revoked_at"));
  }
}
