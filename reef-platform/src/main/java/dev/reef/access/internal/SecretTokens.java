package dev.reef.access.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Bearer secrets: 256 random bits in base62 behind a prefix that says what the secret is ({@code reef_sk_} tenant
 * key, {@code reef_op_} operator key). They are stored as SHA-256: a slow password hash adds nothing for 256-bit
 * random values and would cost every request.
 */
final class SecretTokens {

  static final String TENANT_KEY_PREFIX = "reef_sk_";
  static final String OPERATOR_KEY_PREFIX = "reef_op_";
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretTokens() {}

  static String generate(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + base62(bytes, 43);
  }

  /** A random password a person can type: 20 base62 characters (about 119 bits). */
  static String password() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return base62(bytes, 20);
  }

  static String sha256(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** Enough of a key to recognise it in a list, never enough to use it. */
  static String hint(String secret, String prefix) {
    return prefix + secret.substring(prefix.length(), prefix.length() + 4) + "…" + secret.substring(secret.length() - 4);
  }

  /** Compares in time independent of where the inputs differ. */
  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String base62(byte[] bytes, int length) {
    BigInteger n = new BigInteger(1, bytes);
    BigInteger base = BigInteger.valueOf(62);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < length) {
      BigInteger[] qr = n.divideAndRemainder(base);
      sb.append(BASE62.charAt(qr[1].intValue()));
      n = qr[0];
    }
    return sb.toString();
  }
}
