package dev.reef.access.internal;

import dev.reef.common.InvalidRequestException;

/** Length is what matters (NIST SP 800-63B): at least 10 characters; at most 128 so hashing stays bounded. */
final class PasswordPolicy {

  static final int MIN = 10;
  static final int MAX = 128;

  private PasswordPolicy() {}

  static void check(String email, String password) {
    if (password == null || password.length() < MIN) {
      throw new InvalidRequestException("password", "must be at least " + MIN + " characters");
    }
    if (password.length() > MAX) {
      throw new InvalidRequestException("password", "must be at most " + MAX + " characters");
    }
    if (password.equalsIgnoreCase(email)) {
      throw new InvalidRequestException("password", "must not be the email address");
    }
  }
}
