package dev.reef.gateway.internal.catalog;

import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import dev.reef.secrets.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Tenants' own provider keys (BYOK): tenant-owned, the key itself encrypted in the secrets store. */
@Repository
@Transactional
public class ProviderKeyRepository {

  private final JdbcClient jdbc;

  ProviderKeyRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public record ProviderKey(TenantId tenantId, String provider, SecretRef secret, String hint, Instant createdAt,
      Instant updatedAt) {}

  public Optional<ProviderKey> find(TenantId tenantId, String provider) {
    return jdbc.sql("select * from tenant_provider_keys where tenant_id = :t and provider = :p")
        .param("t", tenantId.value()).param("p", provider).query((rs, n) -> map(tenantId, rs)).optional();
  }

  public List<ProviderKey> list(TenantId tenantId) {
    return jdbc.sql("select * from tenant_provider_keys where tenant_id = :t order by provider")
        .param("t", tenantId.value()).query((rs, n) -> map(tenantId, rs)).list();
  }

  public void insert(TenantId tenantId, ProviderKey key) {
    jdbc.sql("""
        insert into tenant_provider_keys (tenant_id, provider, secret_id, key_hint, created_at, updated_at)
        values (:t, :p, :s, :h, :c, :u)""")
        .param("t", tenantId.value()).param("p", key.provider()).param("s", key.secret().id())
        .param("h", key.hint()).param("c", Jdbc.timestamp(key.createdAt()))
        .param("u", Jdbc.timestamp(key.updatedAt())).update();
  }

  public void updateHint(TenantId tenantId, String provider, String hint, Instant now) {
    jdbc.sql("update tenant_provider_keys set key_hint = :h, updated_at = :u where tenant_id = :t and provider = :p")
        .param("h", hint).param("u", Jdbc.timestamp(now)).param("t", tenantId.value()).param("p", provider)
        .update();
  }

  public boolean delete(TenantId tenantId, String provider) {
    return jdbc.sql("delete from tenant_provider_keys where tenant_id = :t and provider = :p")
        .param("t", tenantId.value()).param("p", provider).update() > 0;
  }

  private static ProviderKey map(TenantId tenantId, java.sql.ResultSet rs) throws java.sql.SQLException {
    return new ProviderKey(tenantId, rs.getString("provider"), new SecretRef(Jdbc.uuid(rs, "secret_id")),
        rs.getString("key_hint"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }
}
