package dev.reef.secrets.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption with the JDK's AES-256-GCM: every seal draws a fresh 256-bit data key, encrypts the plaintext
 * under it, and wraps the data key under a master key. Rotating the master key re-wraps only the 32-byte data key;
 * the ciphertext stays as it is.
 *
 * <p>Random 96-bit nonces are safe here: a data key encrypts exactly one plaintext, and a master key wraps one data
 * key per stored or replaced secret, far below the 2^32 messages per key that random GCM nonces allow. Buffers
 * holding plaintext or a data key are zeroed after use (best effort: the JVM may have copied them).
 */
final class EnvelopeCipher {

  private static final String AES_GCM = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int DATA_KEY_BYTES = 32;

  private final SecureRandom random;

  EnvelopeCipher(SecureRandom random) {
    this.random = random;
  }

  SealedSecret seal(MasterKey masterKey, SecretBinding binding, String plaintext) {
    byte[] dataKey = randomBytes(DATA_KEY_BYTES);
    byte[] text = plaintext.getBytes(StandardCharsets.UTF_8);
    try {
      byte[] nonce = randomBytes(NONCE_BYTES);
      byte[] ciphertext = encrypt(new SecretKeySpec(dataKey, "AES"), nonce,
          binding.associatedData(SecretBinding.Layer.DATA), text);
      return wrap(masterKey, binding, dataKey, nonce, ciphertext);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
      Arrays.fill(text, (byte) 0);
    }
  }

  String open(MasterKey masterKey, SecretBinding binding, SealedSecret sealed) {
    byte[] dataKey = unwrap(masterKey, binding, sealed);
    try {
      byte[] text = decrypt(new SecretKeySpec(dataKey, "AES"), sealed.nonce(),
          binding.associatedData(SecretBinding.Layer.DATA), sealed.ciphertext(), binding);
      try {
        return new String(text, StandardCharsets.UTF_8);
      } finally {
        Arrays.fill(text, (byte) 0);
      }
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** The same secret with its data key wrapped under {@code to} instead; the ciphertext is untouched. */
  SealedSecret rewrap(MasterKey from, MasterKey to, SecretBinding binding, SealedSecret sealed) {
    byte[] dataKey = unwrap(from, binding, sealed);
    try {
      return wrap(to, binding, dataKey, sealed.nonce(), sealed.ciphertext());
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  private SealedSecret wrap(MasterKey masterKey, SecretBinding binding, byte[] dataKey, byte[] nonce,
      byte[] ciphertext) {
    byte[] keyNonce = randomBytes(NONCE_BYTES);
    byte[] wrapped = encrypt(masterKey.secretKey(), keyNonce, binding.associatedData(SecretBinding.Layer.DATA_KEY),
        dataKey);
    return new SealedSecret(masterKey.version(), wrapped, keyNonce, nonce, ciphertext);
  }

  private static byte[] unwrap(MasterKey masterKey, SecretBinding binding, SealedSecret sealed) {
    if (!masterKey.version().equals(sealed.keyVersion())) {
      throw new IllegalArgumentException("Secret " + binding.id() + " is wrapped under master key "
          + sealed.keyVersion() + ", not " + masterKey.version());
    }
    return decrypt(masterKey.secretKey(), sealed.keyNonce(), binding.associatedData(SecretBinding.Layer.DATA_KEY),
        sealed.wrappedKey(), binding);
  }

  private static byte[] encrypt(Key key, byte[] nonce, byte[] associatedData, byte[] input) {
    try {
      return cipher(Cipher.ENCRYPT_MODE, key, nonce, associatedData).doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  private static byte[] decrypt(Key key, byte[] nonce, byte[] associatedData, byte[] input, SecretBinding binding) {
    try {
      return cipher(Cipher.DECRYPT_MODE, key, nonce, associatedData).doFinal(input);
    } catch (AEADBadTagException e) {
      throw new IllegalStateException("Secret " + binding.id() + " failed its integrity check: its stored data was "
          + "altered, or was moved from another secret, tenant or purpose", e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("Secret " + binding.id() + " could not be decrypted: its stored data is "
          + "malformed", e);
    }
  }

  private static Cipher cipher(int mode, Key key, byte[] nonce, byte[] associatedData)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(AES_GCM);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(associatedData);
    return cipher;
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }
}
