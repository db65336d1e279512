package dev.reef.secrets;

import dev.reef.testing.StandaloneReef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Master key rotation, end to end. Access is checked on the shared Reef; rotations that need a restart with other
 * keys run on a {@link StandaloneReef} with its own database and keyring.
 */
@Tag("database-matrix")
class MasterKeyRotationIT extends ReefIT {

  private static final String ROTATE = "/api/v1/operator/secrets/rotate";
  private static final String STATUS = "/api/v1/operator/secrets/status";

  @TempDir
  Path dataDir;

  @Test
  void rotateAndStatus_areForTheOperatorOnly() {
    SignedUp t = signUp("Not Key Ops");
    assertThat(api.post(ROTATE, t.apiKey(), null).status()).isEqualTo(403);
    assertThat(api.post(ROTATE, t.apiKey(), Api.body("generateNewKey", true)).status()).isEqualTo(403);
    assertThat(api.get(STATUS, t.apiKey()).status()).isEqualTo(403);
    assertThat(api.post(ROTATE, null, null).status()).isEqualTo(401);
  }

  @Test
  void rotate_withEverySecretOnTheCurrentKey_changesNothing_andIsAudited() {
    Response status = api.get(STATUS, MASTER_KEY);
    assertThat(status.status()).isEqualTo(200);
    Response rotated = api.post(ROTATE, MASTER_KEY, Api.body());
    assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
    assertThat(rotated.at("/currentKeyVersion")).isEqualTo(status.at("/currentKeyVersion"));
    assertThat(rotated.json().get("rewrapped").asLong()).isZero();
    assertThat(rotated.json().get("remainingOnOldKeys").asLong()).isZero();
    assertThat(api.get("/api/v1/audit-events", MASTER_KEY).json().get("items").findValuesAsString("action"))
        .contains("secrets.master_key_rotated");
  }

  @Test
  void rotation_fromKeyAToKeyB_rewrapsEverySecret_andANodeWithoutBCannotDecrypt() {
    String a = newKey();
    String b = newKey();
    try (StandaloneReef reef = new StandaloneReef(dataDir)) {
      // Batches of two, so the five secrets take three batches.
      reef.start(Map.of("reef.secrets.master-key", a, "reef.secrets.rotation-batch-size", "2"));
      Map<SecretRef, String> stored = storeSecrets(reef);
      assertThat(status(reef).at("/currentKeyVersion")).isEqualTo(version(a));
      assertThat(status(reef).at("/keySource")).isEqualTo("environment");

      reef.start(Map.of("reef.secrets.master-key", b, "reef.secrets.master-key-previous", a,
          "reef.secrets.rotation-batch-size", "2"));
      assertThat(secretsUnder(reef, version(a))).isEqualTo(5);
      Response rotated = reef.api().post(ROTATE, MASTER_KEY, null);
      assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
      assertThat(rotated.json()).isEqualTo(Api.JSON.readTree(
          "{\"currentKeyVersion\":\"" + version(b) + "\",\"rewrapped\":5,\"remainingOnOldKeys\":0}"));
      assertThat(secretsUnder(reef, version(a))).isZero();
      assertThat(secretsUnder(reef, version(b))).isEqualTo(5);
      stored.forEach((ref, plaintext) -> assertThat(revealAsPlatform(reef, ref)).isEqualTo(plaintext));
      assertThat(reef.api().post(ROTATE, MASTER_KEY, null).json().get("rewrapped").asLong()).isZero();

      Response generate = reef.api().post(ROTATE, MASTER_KEY, Api.body("generateNewKey", true));
      assertThat(generate.status()).isEqualTo(400);
      assertThat(generate.at("/errors/0/field")).isEqualTo("generateNewKey");

      reef.start(Map.of("reef.secrets.master-key", a));
      SecretRef any = stored.keySet().iterator().next();
      assertThatThrownBy(() -> revealAsPlatform(reef, any)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("master key version " + version(b))
          .hasMessageContaining("not configured")
          .hasMessageNotContaining(b);
      JsonNode unavailable = keyVersion(status(reef), version(b));
      assertThat(unavailable.get("configured").asBoolean()).isFalse();
      assertThat(unavailable.get("secrets").asLong()).isEqualTo(5);
    }
  }

  @Test
  void embedded_generateNewKey_makesItCurrent_andDropsTheOldKeyFromTheKeyringFile() throws Exception {
    try (StandaloneReef reef = new StandaloneReef(dataDir)) {
      reef.start(Map.of());
      List<String> before = Files.readAllLines(reef.keyringFile());
      assertThat(before).hasSize(1);
      Map<SecretRef, String> stored = storeSecrets(reef);
      assertThat(status(reef).at("/keySource")).isEqualTo("keyring-file");

      Response rotated = reef.api().post(ROTATE, MASTER_KEY, Api.body("generateNewKey", true));
      assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
      List<String> after = Files.readAllLines(reef.keyringFile());
      assertThat(after).hasSize(1).doesNotContain(before.getFirst());
      assertThat(rotated.at("/currentKeyVersion")).isEqualTo(version(after.getFirst()))
          .isNotEqualTo(version(before.getFirst()));
      assertThat(rotated.json().get("rewrapped").asLong()).isEqualTo(5);
      assertThat(rotated.json().get("remainingOnOldKeys").asLong()).isZero();
      assertThat(rotated.text()).doesNotContain(after.getFirst()).doesNotContain(before.getFirst());

      reef.start(Map.of());
      stored.forEach((ref, plaintext) -> assertThat(revealAsPlatform(reef, ref)).isEqualTo(plaintext));
      assertThat(status(reef).json().get("keyVersions").size()).isEqualTo(1);
    }
  }

  /** Two tenants' secrets and a platform secret, in their own scopes, as the modules that own them would. */
  private static Map<SecretRef, String> storeSecrets(StandaloneReef reef) {
    SecretStore store = reef.bean(SecretStore.class);
    Map<SecretRef, String> stored = new LinkedHashMap<>();
    for (String name : List.of("Rotation One", "Rotation Two")) {
      TenantId tenant = signUp(reef, name);
      for (String purpose : List.of("byok:openai", "channel:telegram")) {
        String plaintext = purpose + "-" + UUID.randomUUID();
        stored.put(DataScope.callAs(tenant, () -> store.put(tenant, purpose, plaintext)), plaintext);
      }
    }
    String platform = "sk-platform-" + UUID.randomUUID();
    stored.put(DataScope.callAsPlatform(() -> store.putPlatform("provider:openai", platform)), platform);
    return stored;
  }

  private static TenantId signUp(StandaloneReef reef, String name) {
    Response response = reef.api().post("/api/v1/signup", null, Api.body("email", unique(name) + "@example.test",
        "password", "correct-horse-" + UUID.randomUUID(), "tenantName", name));
    assertThat(response.status()).as(response.toString()).isEqualTo(201);
    return TenantId.parse(response.at("/tenantId"));
  }

  private static String revealAsPlatform(StandaloneReef reef, SecretRef ref) {
    return DataScope.callAsPlatform(() -> reef.bean(SecretStore.class).reveal(ref));
  }

  private static Response status(StandaloneReef reef) {
    Response status = reef.api().get(STATUS, MASTER_KEY);
    assertThat(status.status()).as(status.toString()).isEqualTo(200);
    return status;
  }

  private static long secretsUnder(StandaloneReef reef, String version) {
    JsonNode node = keyVersion(status(reef), version);
    return node == null ? 0 : node.get("secrets").asLong();
  }

  private static JsonNode keyVersion(Response status, String version) {
    return status.json().get("keyVersions").valueStream().filter(v -> v.get("version").asString().equals(version))
        .findFirst().orElse(null);
  }

  static String newKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  /** As documented: the first 8 bytes of the SHA-256 of the key, in hex. */
  static String version(String base64Key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(base64Key));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
