package dev.reef.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.testing.ReefIT;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

@Tag("database-matrix")
class SecretStoreIT extends ReefIT {

  @Autowired
  SecretStore secrets;

  @Autowired
  JdbcClient jdbc;

  @Autowired
  TransactionTemplate tx;

  @Test
  void put_reveal_roundTrip_inTheTenantsScope() {
    TenantId t = tenant("Secrets Roundtrip");
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "byok:openai", "sk-roundtrip-0123456789"));
    assertThat(DataScope.callAs(t, () -> secrets.reveal(ref))).isEqualTo("sk-roundtrip-0123456789");
  }

  @Test
  void storedRow_holdsNoPlaintext() {
    TenantId t = tenant("Secrets At Rest");
    String plaintext = "sk-at-rest-" + UUID.randomUUID();
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "byok:openai", plaintext));
    byte[] ciphertext = DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql(
        "select ciphertext from secrets where id = :id").param("id", ref.id()).query(byte[].class).single()));
    assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain(plaintext)
        .doesNotContain(plaintext.substring(0, 12));
  }

  @Test
  void replace_keepsTheReference_revealsTheNewValue() {
    TenantId t = tenant("Secrets Replace");
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "channel:telegram", "old-token-value"));
    DataScope.runAs(t, () -> secrets.replace(ref, "new-token-value"));
    assertThat(DataScope.callAs(t, () -> secrets.reveal(ref))).isEqualTo("new-token-value");
  }

  @Test
  void delete_thenRevealReplaceAndDeleteAreNotFound() {
    TenantId t = tenant("Secrets Delete");
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "byok:anthropic", "sk-ant-to-delete"));
    DataScope.runAs(t, () -> secrets.delete(ref));
    DataScope.runAs(t, () -> {
      assertThatThrownBy(() -> secrets.reveal(ref)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> secrets.replace(ref, "again")).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> secrets.delete(ref)).isInstanceOf(NotFoundException.class);
    });
  }

  @Test
  void anotherTenantsSecret_isNotFound_inEveryOperation() {
    TenantId a = tenant("Secrets Owner");
    TenantId b = tenant("Secrets Snoop");
    SecretRef ref = DataScope.callAs(a, () -> secrets.put(a, "byok:openai", "sk-owned-by-a"));
    DataScope.runAs(b, () -> {
      assertThatThrownBy(() -> secrets.reveal(ref)).isInstanceOf(NotFoundException.class)
          .hasMessageNotContaining("sk-owned-by-a");
      assertThatThrownBy(() -> secrets.replace(ref, "overwritten")).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> secrets.delete(ref)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> secrets.put(a, "byok:openai", "planted")).isInstanceOf(NotFoundException.class);
    });
    assertThat(DataScope.callAs(a, () -> secrets.reveal(ref))).isEqualTo("sk-owned-by-a");
  }

  @Test
  void noScope_seesNothing() {
    TenantId t = tenant("Secrets No Scope");
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "byok:openai", "sk-unscoped"));
    assertThatThrownBy(() -> secrets.reveal(ref)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> secrets.put(t, "byok:openai", "sk-unscoped")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void platformSecret_isVisibleInPlatformScopeOnly() {
    TenantId t = tenant("Secrets Platform");
    SecretRef ref = DataScope.callAsPlatform(() -> secrets.putPlatform("provider:openai", "sk-platform-key"));
    assertThat(DataScope.callAsPlatform(() -> secrets.reveal(ref))).isEqualTo("sk-platform-key");
    DataScope.runAsPlatform(() -> secrets.replace(ref, "sk-platform-key-2"));
    assertThat(DataScope.callAsPlatform(() -> secrets.reveal(ref))).isEqualTo("sk-platform-key-2");
    assertThatThrownBy(() -> DataScope.callAs(t, () -> secrets.reveal(ref))).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> DataScope.callAs(t, () -> secrets.putPlatform("provider:openai", "x")))
        .isInstanceOf(IllegalStateException.class);
    DataScope.runAsPlatform(() -> secrets.delete(ref));
    assertThatThrownBy(() -> DataScope.callAsPlatform(() -> secrets.reveal(ref)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void platformScope_reachesTenantSecrets() {
    TenantId t = tenant("Secrets Reached");
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "byok:openai", "sk-for-the-gateway"));
    assertThat(DataScope.callAsPlatform(() -> secrets.reveal(ref))).isEqualTo("sk-for-the-gateway");
  }

  @Test
  void ciphertextMovedToAnotherTenant_failsToDecrypt() {
    TenantId a = tenant("Secrets Moved From");
    TenantId b = tenant("Secrets Moved To");
    SecretRef ref = DataScope.callAs(a, () -> secrets.put(a, "byok:openai", "sk-must-stay-with-a"));
    // What an attacker with write access to the table (or a bug) might do: re-label the row as B's.
    DataScope.runAsPlatform(() -> tx.executeWithoutResult(s -> jdbc.sql(
        "update secrets set tenant_id = :b where id = :id").param("b", b.value()).param("id", ref.id()).update()));
    assertThatThrownBy(() -> DataScope.callAs(b, () -> secrets.reveal(ref)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("integrity check")
        .hasMessageNotContaining("sk-must-stay-with-a");
  }

  @Test
  void deletedTenant_takesItsSecretsWithIt() {
    SignedUp signedUp = signUp("Secrets Gone");
    TenantId t = TenantId.parse(signedUp.tenantId());
    SecretRef ref = DataScope.callAs(t, () -> secrets.put(t, "byok:openai", "sk-of-a-deleted-tenant"));
    assertThat(api.delete("/api/v1/tenants/" + t, MASTER_KEY).status()).isEqualTo(204);
    assertThatThrownBy(() -> DataScope.callAsPlatform(() -> secrets.reveal(ref)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void badInput_isRefused_withoutEchoingIt() {
    TenantId t = tenant("Secrets Bad Input");
    DataScope.runAs(t, () -> {
      assertThatThrownBy(() -> secrets.put(t, "has space", "v")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> secrets.put(t, "byok:openai", "")).isInstanceOf(IllegalArgumentException.class);
      String huge = "x".repeat(64 * 1024 + 1);
      assertThatThrownBy(() -> secrets.put(t, "byok:openai", huge)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("xxxx");
    });
  }

  private TenantId tenant(String name) {
    return TenantId.parse(signUp(name).tenantId());
  }
}
