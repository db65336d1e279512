package dev.reef.access.internal;

import dev.reef.common.InvalidRequestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a password must be (NIST SP 800-63B): at least 10 characters and at most 128 (so hashing stays bounded);
 * not blank; not the email address or its name part; not a handful of characters repeated; and not a well-known
 * password, nor one built from one by adding digits and symbols ({@code Password123!}): the bundled list
 * {@code access/common-passwords.txt}. No rules about character classes: they make passwords worse, not better.
 */
final class PasswordPolicy {

  static final int MIN = 10;
  static final int MAX = 128;
  static final int MIN_DISTINCT = 4;
  private static final Set<String> COMMON = load("/access/common-passwords.txt");

  private PasswordPolicy() {}

  static void check(String email, String password) {
    if (password == null || password.length() < MIN) {
      throw new InvalidRequestException("password", "must be at least " + MIN + " characters");
    }
    if (password.length() > MAX) {
      throw new InvalidRequestException("password", "must be at most " + MAX + " characters");
    }
    if (password.isBlank()) {
      throw new InvalidRequestException("password", "must not be only spaces");
    }
    String lower = password.strip().toLowerCase(Locale.ROOT);
    String mail = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    int at = mail.indexOf('@');
    if (lower.equals(mail) || (at > 0 && stripped(lower).equals(mail.substring(0, at)))) {
      throw new InvalidRequestException("password", "must not be the email address");
    }
    if (lower.codePoints().distinct().count() < MIN_DISTINCT) {
      throw new InvalidRequestException("password", "must not be a few characters repeated");
    }
    if (COMMON.contains(lower) || COMMON.contains(stripped(lower))) {
      throw new InvalidRequestException("password", "is one of the most common passwords (or one of them with digits "
          + "or symbols added); choose another, for example a few unrelated words");
    }
  }

  /** Without the digits, symbols and spaces at either end: {@code password123!} is {@code password}. */
  static String stripped(String lower) {
    int from = 0;
    int to = lower.length();
    while (from < to && !Character.isLetter(lower.charAt(from))) {
      from++;
    }
    while (to > from && !Character.isLetter(lower.charAt(to - 1))) {
      to--;
    }
    return from == to ? lower : lower.substring(from, to);
  }

  private static Set<String> load(String resource) {
    Set<String> words = new HashSet<>();
    try (InputStream in = PasswordPolicy.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from Reef's classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        String word = line.strip();
        if (!word.isEmpty() && !word.startsWith("#")) {
          words.add(word.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(words);
  }
}
