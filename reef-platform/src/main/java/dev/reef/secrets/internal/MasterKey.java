package dev.reef.secrets.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A master key (key-encryption key): 32 random bytes that wrap the data keys of stored secrets.
 *
 * <p>Its version is derived from the key itself, the first 8 bytes of its SHA-256 in hex, so operators never number
 * keys by hand and can compute it with {@code base64 -d | sha256sum}. Publishing 64 bits of a hash of a 256-bit
 * random key reveals nothing usable about the key.
 */
final class MasterKey {

  static final int BYTES = 32;
  private static final String HOW_TO_GENERATE = "generate one with: openssl rand -base64 32";

  private final String version;
  private final SecretKey key;

  private MasterKey(byte[] raw) {
    if (raw.length != BYTES) {
      throw new IllegalArgumentException("a master key is " + BYTES + " bytes, not " + raw.length);
    }
    this.version = versionOf(raw);
    this.key = new SecretKeySpec(raw, "AES");
  }

  static MasterKey generate(SecureRandom random) {
    byte[] raw = new byte[BYTES];
    random.nextBytes(raw);
    try {
      return new MasterKey(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * Parses a base64 key (standard or URL-safe alphabet). The error names where the key came from and what is wrong
   * with it, never the key: not even the decoder's message, which quotes the offending character.
   */
  static MasterKey parse(String base64, String source) {
    byte[] raw;
    try {
      raw = decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(source + " is not valid base64; it must be the base64 of " + BYTES
          + " random bytes (" + HOW_TO_GENERATE + ")");
    }
    try {
      if (raw.length != BYTES) {
        throw new IllegalStateException(source + " decodes to " + raw.length + " bytes; a master key is exactly "
            + BYTES + " random bytes (" + HOW_TO_GENERATE + ")");
      }
      return new MasterKey(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static byte[] decode(String base64) {
    return base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0
        ? Base64.getUrlDecoder().decode(base64)
        : Base64.getDecoder().decode(base64);
  }

  static String versionOf(byte[] raw) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  String version() {
    return version;
  }

  SecretKey secretKey() {
    return key;
  }

  /** The key as base64: for writing the keyring file, nothing else. */
  String toBase64() {
    byte[] raw = key.getEncoded();
    try {
      return new String(Base64.getEncoder().encode(raw), StandardCharsets.US_ASCII);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "MasterKey[version=" + version + "]";
  }
}
