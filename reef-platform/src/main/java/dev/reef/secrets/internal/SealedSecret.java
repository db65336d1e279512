package dev.reef.secrets.internal;

/**
 * A secret as stored: the plaintext encrypted under its own data key, and that data key wrapped by the master key
 * of {@code keyVersion}. AES-256-GCM both times, each with its own random 96-bit nonce; the 128-bit tags are at the
 * end of {@code ciphertext} and {@code wrappedKey}.
 */
record SealedSecret(String keyVersion, byte[] wrappedKey, byte[] keyNonce, byte[] nonce, byte[] ciphertext) {

  /** Sizes only: even ciphertext does not belong in a log. */
  @Override
  public String toString() {
    return "SealedSecret[keyVersion=" + keyVersion + ", ciphertext=" + ciphertext.length + " bytes]";
  }
}
