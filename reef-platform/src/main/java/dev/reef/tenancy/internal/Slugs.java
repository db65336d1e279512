package dev.reef.tenancy.internal;

import dev.reef.common.InvalidRequestException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.regex.Pattern;

/** URL-safe tenant names: lower-case letters, digits and single dashes, 2 to 40 characters. */
final class Slugs {

  static final Pattern VALID = Pattern.compile("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,39}$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Slugs() {}

  static String check(String slug) {
    if (slug == null || !VALID.matcher(slug).matches()) {
      throw new InvalidRequestException("slug",
          "must be 2 to 40 lower-case letters, digits and single dashes, starting and ending with a letter or digit");
    }
    return slug;
  }

  /** A slug derived from a display name, e.g. "Acme Corp." becomes "acme-corp". */
  static String from(String name) {
    String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
    String slug = ascii.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 32) {
      slug = slug.substring(0, 32).replaceAll("-+$", "");
    }
    return slug.length() < 2 ? "tenant" : slug;
  }

  static String withSuffix(String slug) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder(slug).append('-');
    for (int i = 0; i < 5; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
