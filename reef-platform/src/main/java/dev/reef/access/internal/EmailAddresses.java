package dev.reef.access.internal;

import dev.reef.common.InvalidRequestException;
import java.util.regex.Pattern;

/** Emails are compared case-insensitively, so they are stored lower-cased. */
final class EmailAddresses {

  private static final Pattern SHAPE = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+$");

  private EmailAddresses() {}

  static String normalize(String email) {
    String trimmed = email == null ? "" : email.trim().toLowerCase();
    if (trimmed.length() > 254 || !SHAPE.matcher(trimmed).matches()) {
      throw new InvalidRequestException("email", "must be an email address like name@example.com");
    }
    return trimmed;
  }
}
