package dev.reef.secrets;

import dev.reef.testing.StandaloneReef;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Nothing secret is logged: with DEBUG logging for Reef and Spring's JDBC, a Reef that generates its master key,
 * stores, reveals, replaces and rotates secrets prints neither a plaintext nor a master key, in any encoding a log
 * line might plausibly use. It runs on a {@link StandaloneReef} so that start-up (where the key is generated) is
 * captured too.
 */
@Tag("database-matrix")
@ExtendWith(OutputCaptureExtension.class)
class SecretsNeverLeakIT extends ReefIT {

  private static final List<String> NOISY_LOGGERS = List.of("dev.reef", "org.springframework.jdbc");

  @TempDir
  Path dataDir;

  @AfterEach
  void quietAgain() {
    // The logging system is the JVM's: put the levels back for the tests that share it.
    LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
    NOISY_LOGGERS.forEach(name -> logging.setLogLevel(name, null));
  }

  @Test
  void debugLogging_neverShowsAPlaintextOrAMasterKey(CapturedOutput output) throws Exception {
    List<String> plaintexts = new ArrayList<>();
    Set<String> masterKeys = new LinkedHashSet<>();
    List<String> responses = new ArrayList<>();
    try (StandaloneReef reef = new StandaloneReef(dataDir)) {
      reef.start(Map.of("logging.level.dev.reef", "DEBUG", "logging.level.org.springframework.jdbc", "DEBUG"));
      masterKeys.addAll(Files.readAllLines(reef.keyringFile()));
      SecretStore store = reef.bean(SecretStore.class);
      Response signedUp = reef.api().post("/api/v1/signup", null, Api.body("email", unique("leak") + "@example.test",
          "password", "correct-horse-" + UUID.randomUUID(), "tenantName", "Leak Check"));
      TenantId tenant = TenantId.parse(signedUp.at("/tenantId"));

      String byok = plaintext(plaintexts);
      SecretRef ref = DataScope.callAs(tenant, () -> store.put(tenant, "byok:openai", byok));
      assertThat(DataScope.callAs(tenant, () -> store.reveal(ref))).isEqualTo(byok);
      String replacement = plaintext(plaintexts);
      DataScope.runAs(tenant, () -> store.replace(ref, replacement));
      String platform = plaintext(plaintexts);
      SecretRef platformRef = DataScope.callAsPlatform(() -> store.putPlatform("provider:openai", platform));

      responses.add(reef.api().get("/api/v1/operator/secrets/status", MASTER_KEY).text());
      Response rotated = reef.api().post("/api/v1/operator/secrets/rotate", MASTER_KEY,
          Api.body("generateNewKey", true));
      assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
      responses.add(rotated.text());
      masterKeys.addAll(Files.readAllLines(reef.keyringFile()));
      responses.add(reef.api().get("/api/v1/audit-events", MASTER_KEY).text());

      assertThat(DataScope.callAs(tenant, () -> store.reveal(ref))).isEqualTo(replacement);
      assertThat(DataScope.callAsPlatform(() -> store.reveal(platformRef))).isEqualTo(platform);
      DataScope.runAs(tenant, () -> store.delete(ref));
      try {
        DataScope.callAs(tenant, () -> store.reveal(ref));
      } catch (NotFoundException expected) {
        // the not-found path logs too
      }
    }

    String all = output.getAll();
    // Proof that the capture saw the DEBUG output it is meant to search.
    assertThat(all).contains("Stored secret").contains("Executing prepared SQL statement");
    assertThat(masterKeys).hasSize(2);
    for (String plaintext : plaintexts) {
      assertThat(all).doesNotContain(plaintext).doesNotContain(base64(plaintext.getBytes(StandardCharsets.UTF_8)));
      assertThat(responses).noneMatch(r -> r.contains(plaintext));
    }
    for (String key : masterKeys) {
      byte[] raw = Base64.getDecoder().decode(key);
      assertThat(all).doesNotContain(key).doesNotContain(HexFormat.of().formatHex(raw))
          .doesNotContain(Base64.getUrlEncoder().encodeToString(raw));
      assertThat(responses).noneMatch(r -> r.contains(key));
    }
  }

  private static String plaintext(List<String> plaintexts) {
    String plaintext = "sk-leakcheck-" + UUID.randomUUID();
    plaintexts.add(plaintext);
    return plaintext;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
