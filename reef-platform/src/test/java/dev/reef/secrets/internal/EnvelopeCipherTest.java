package dev.reef.secrets.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.TenantId;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

  private static final String PLAINTEXT = "sk-proj-ünïcødé-0123456789abcdef";

  private final SecureRandom random = new SecureRandom();
  private final EnvelopeCipher cipher = new EnvelopeCipher(random);
  private final MasterKey masterKey = MasterKey.generate(random);
  private final SecretBinding binding = new SecretBinding(UUID.randomUUID(), TenantId.random(), "byok:openai");

  @Test
  void seal_open_roundTrip() {
    SealedSecret sealed = cipher.seal(masterKey, binding, PLAINTEXT);
    assertThat(sealed.keyVersion()).isEqualTo(masterKey.version());
    assertThat(sealed.nonce()).hasSize(12);
    assertThat(sealed.keyNonce()).hasSize(12);
    assertThat(sealed.wrappedKey()).hasSize(32 + 16);
    assertThat(cipher.open(masterKey, binding, sealed)).isEqualTo(PLAINTEXT);
  }

  @Test
  void seal_platformSecret_roundTrip() {
    SecretBinding platform = new SecretBinding(UUID.randomUUID(), null, "provider:openai");
    assertThat(cipher.open(masterKey, platform, cipher.seal(masterKey, platform, PLAINTEXT))).isEqualTo(PLAINTEXT);
  }

  @Test
  void seal_samePlaintextTwice_freshDataKeyAndNonces() {
    SealedSecret one = cipher.seal(masterKey, binding, PLAINTEXT);
    SealedSecret two = cipher.seal(masterKey, binding, PLAINTEXT);
    assertThat(two.ciphertext()).isNotEqualTo(one.ciphertext());
    assertThat(two.wrappedKey()).isNotEqualTo(one.wrappedKey());
    assertThat(two.nonce()).isNotEqualTo(one.nonce());
  }

  @Test
  void open_tamperedCiphertext_fails() {
    assertTamperingDetected(s -> new SealedSecret(s.keyVersion(), s.wrappedKey(), s.keyNonce(), s.nonce(),
        flipFirstBit(s.ciphertext())));
  }

  @Test
  void open_tamperedNonce_fails() {
    assertTamperingDetected(s -> new SealedSecret(s.keyVersion(), s.wrappedKey(), s.keyNonce(),
        flipFirstBit(s.nonce()), s.ciphertext()));
  }

  @Test
  void open_tamperedWrappedKey_fails() {
    assertTamperingDetected(s -> new SealedSecret(s.keyVersion(), flipFirstBit(s.wrappedKey()), s.keyNonce(),
        s.nonce(), s.ciphertext()));
  }

  @Test
  void open_tamperedKeyNonce_fails() {
    assertTamperingDetected(s -> new SealedSecret(s.keyVersion(), s.wrappedKey(), flipFirstBit(s.keyNonce()),
        s.nonce(), s.ciphertext()));
  }

  @Test
  void open_truncatedNonce_failsWithoutLeaking() {
    assertTamperingDetected(s -> new SealedSecret(s.keyVersion(), s.wrappedKey(), s.keyNonce(), new byte[0],
        s.ciphertext()));
  }

  @Test
  void open_ciphertextOfAnotherSecretWithTheSameDataKeyWrapping_fails() {
    SealedSecret sealed = cipher.seal(masterKey, binding, PLAINTEXT);
    SealedSecret other = cipher.seal(masterKey, binding, "another secret value");
    SealedSecret spliced = new SealedSecret(sealed.keyVersion(), sealed.wrappedKey(), sealed.keyNonce(),
        other.nonce(), other.ciphertext());
    assertThatThrownBy(() -> cipher.open(masterKey, binding, spliced)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void open_otherPurpose_fails() {
    assertWrongBindingFails(new SecretBinding(binding.id(), binding.tenantId(), "byok:anthropic"));
  }

  @Test
  void open_otherTenant_fails() {
    assertWrongBindingFails(new SecretBinding(binding.id(), TenantId.random(), binding.purpose()));
  }

  @Test
  void open_asPlatformSecret_fails() {
    assertWrongBindingFails(new SecretBinding(binding.id(), null, binding.purpose()));
  }

  @Test
  void open_otherRow_fails() {
    assertWrongBindingFails(new SecretBinding(UUID.randomUUID(), binding.tenantId(), binding.purpose()));
  }

  @Test
  void open_otherMasterKey_refused() {
    SealedSecret sealed = cipher.seal(masterKey, binding, PLAINTEXT);
    MasterKey other = MasterKey.generate(random);
    assertThatThrownBy(() -> cipher.open(other, binding, sealed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(masterKey.version());
  }

  @Test
  void rewrap_movesTheDataKeyToTheNewMasterKey_ciphertextUnchanged() {
    SealedSecret sealed = cipher.seal(masterKey, binding, PLAINTEXT);
    MasterKey next = MasterKey.generate(random);
    SealedSecret rewrapped = cipher.rewrap(masterKey, next, binding, sealed);
    assertThat(rewrapped.keyVersion()).isEqualTo(next.version());
    assertThat(rewrapped.ciphertext()).isEqualTo(sealed.ciphertext());
    assertThat(rewrapped.nonce()).isEqualTo(sealed.nonce());
    assertThat(cipher.open(next, binding, rewrapped)).isEqualTo(PLAINTEXT);
    SealedSecret claimingOldKey = new SealedSecret(masterKey.version(), rewrapped.wrappedKey(),
        rewrapped.keyNonce(), rewrapped.nonce(), rewrapped.ciphertext());
    assertThatThrownBy(() -> cipher.open(masterKey, binding, claimingOldKey))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void toString_showsNeitherKeysNorBytes() {
    SealedSecret sealed = cipher.seal(masterKey, binding, PLAINTEXT);
    assertThat(sealed.toString()).contains(masterKey.version()).doesNotContain("[B@");
    assertThat(masterKey.toString()).isEqualTo("MasterKey[version=" + masterKey.version() + "]")
        .doesNotContain(masterKey.toBase64());
  }

  private void assertTamperingDetected(UnaryOperator<SealedSecret> tamper) {
    SealedSecret tampered = tamper.apply(cipher.seal(masterKey, binding, PLAINTEXT));
    assertThatThrownBy(() -> cipher.open(masterKey, binding, tampered)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(binding.id().toString()).hasMessageNotContaining(PLAINTEXT);
  }

  private void assertWrongBindingFails(SecretBinding wrong) {
    SealedSecret sealed = cipher.seal(masterKey, binding, PLAINTEXT);
    assertThatThrownBy(() -> cipher.open(masterKey, wrong, sealed)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("integrity check");
  }

  private static byte[] flipFirstBit(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[0] ^= 1;
    return copy;
  }
}
