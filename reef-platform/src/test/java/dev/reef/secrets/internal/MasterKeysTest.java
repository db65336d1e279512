package dev.reef.secrets.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeysTest {

  private final SecureRandom random = new SecureRandom();

  @TempDir
  Path dataDir;

  @Test
  void embedded_noMasterKey_generatesAKeyringFileReadableByItsOwnerOnly() throws IOException {
    MasterKeys keys = load(null, null, true);
    Path file = dataDir.resolve("secrets/master.keys");
    assertThat(keys.managesKeyringFile()).isTrue();
    assertThat(keys.keyringFile()).hasValue(file.toAbsolutePath());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(Files.readAllLines(file)).containsExactly(keys.current().toBase64());
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers).containsExactly(file);
    }
  }

  @Test
  void embedded_restart_reusesTheKeyringFile() {
    String first = load(null, null, true).current().version();
    assertThat(load(null, null, true).current().version()).isEqualTo(first);
  }

  @Test
  void externalDatabase_noMasterKey_failsWithHowToGenerateOne() {
    assertThatThrownBy(() -> load(null, null, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REEF_MASTER_KEY is not set")
        .hasMessageContaining("openssl rand -base64 32");
    assertThat(dataDir.resolve("secrets")).doesNotExist();
  }

  @Test
  void masterKey_isCurrent_previousKeysUnwrapOnly_noFile() {
    MasterKey a = MasterKey.generate(random);
    MasterKey b = MasterKey.generate(random);
    MasterKey c = MasterKey.generate(random);
    MasterKeys keys = load(b.toBase64(), a.toBase64() + ", " + c.toBase64() + "," + b.toBase64(), true);
    assertThat(keys.current().version()).isEqualTo(b.version());
    assertThat(keys.keyring().versions()).containsExactly(b.version(), a.version(), c.version());
    assertThat(keys.find(a.version())).isPresent();
    assertThat(keys.managesKeyringFile()).isFalse();
    assertThat(dataDir.resolve("secrets")).doesNotExist();
  }

  @Test
  void malformedPreviousKey_namesTheVariableAndPosition_neverTheKey() {
    String good = MasterKey.generate(random).toBase64();
    assertThatThrownBy(() -> load(good, good + ",bm90LWEta2V5", false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Key 2 of REEF_MASTER_KEY_PREVIOUS")
        .hasMessageNotContaining("bm90LWEta2V5")
        .hasMessageNotContaining(good);
  }

  @Test
  void malformedMasterKey_failsAtLoad() {
    assertThatThrownBy(() -> load("not a key", null, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("REEF_MASTER_KEY");
  }

  @Test
  void generateNewCurrent_putsTheNewKeyFirstInTheFile_retireUnusedDropsTheOldOnes() throws IOException {
    MasterKeys keys = load(null, null, true);
    MasterKey old = keys.current();
    MasterKey next = keys.generateNewCurrent();
    Path file = keys.keyringFile().orElseThrow();
    assertThat(Files.readAllLines(file)).containsExactly(next.toBase64(), old.toBase64());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(load(null, null, true).keyring().versions()).containsExactly(next.version(), old.version());

    keys.retireUnused(Set.of(old.version(), next.version()));
    assertThat(Files.readAllLines(file)).hasSize(2);
    keys.retireUnused(Set.of(next.version()));
    assertThat(Files.readAllLines(file)).containsExactly(next.toBase64());
    assertThat(keys.keyring().versions()).containsExactly(next.version());
  }

  @Test
  void retireUnused_keepsPreviousKeysFromTheEnvironment_outOfTheFile() throws IOException {
    MasterKey fromEnvironment = MasterKey.generate(random);
    MasterKeys keys = load(null, fromEnvironment.toBase64(), true);
    MasterKey generated = keys.current();
    keys.generateNewCurrent();
    assertThat(Files.readAllLines(keys.keyringFile().orElseThrow())).hasSize(2)
        .doesNotContain(fromEnvironment.toBase64());
    keys.retireUnused(Set.of());
    assertThat(keys.keyring().versions()).hasSize(2).contains(fromEnvironment.version())
        .doesNotContain(generated.version());
  }

  @Test
  void generateNewCurrent_withMasterKeyFromTheEnvironment_isRefused() {
    MasterKeys keys = load(MasterKey.generate(random).toBase64(), null, true);
    assertThatThrownBy(keys::generateNewCurrent).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("REEF_MASTER_KEY_PREVIOUS");
  }

  @Test
  void emptyKeyringFile_failsRatherThanSilentlyGeneratingANewKey() throws IOException {
    Files.createDirectories(dataDir.resolve("secrets"));
    Files.write(dataDir.resolve("secrets/master.keys"), List.of("", ""));
    assertThatThrownBy(() -> load(null, null, true)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds no key");
  }

  @Test
  void properties_toString_neverShowsTheKeys() {
    String key = MasterKey.generate(random).toBase64();
    assertThat(new SecretsProperties(key, key, 0).toString()).doesNotContain(key).contains("masterKey=set");
  }

  private MasterKeys load(String masterKey, String previous, boolean embedded) {
    return MasterKeys.load(new SecretsProperties(masterKey, previous, 0), embedded, dataDir, random);
  }
}
