package dev.reef.access.internal;

import dev.reef.common.InvalidRequestException;
import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One spelling per address, so that two accounts (or an account and an invitation) cannot look like one: compatibility
 * forms folded (NFKC, so full-width letters become plain ones), lower case, surrounding space and a trailing dot on
 * the domain dropped. Addresses that only look like another are refused rather than stored: invisible characters,
 * and any part (the name, or a label of the domain) that mixes writing systems, such as a Cyrillic "а" among Latin
 * letters.
 */
final class EmailAddresses {

  private static final Pattern SHAPE = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+$");
  private static final String MESSAGE = "must be an email address like name@example.com";

  private EmailAddresses() {}

  /** The stored spelling of a new address; 400 naming {@code email} if it is malformed or a look-alike. */
  static String normalize(String email) {
    String canonical = canonical(email);
    if (canonical.length() > 254 || !SHAPE.matcher(canonical).matches()) {
      throw new InvalidRequestException("email", MESSAGE);
    }
    String local = canonical.substring(0, canonical.indexOf('@'));
    String domain = canonical.substring(canonical.indexOf('@') + 1);
    if (canonical.codePoints().anyMatch(EmailAddresses::invisible)) {
      throw new InvalidRequestException("email", "must not contain invisible characters");
    }
    if (mixesScripts(local)) {
      throw new InvalidRequestException("email",
          "mixes writing systems before the @ (a look-alike of another address?); spell it in one");
    }
    for (String label : domain.split("\\.")) {
      if (label.isEmpty() || mixesScripts(label)) {
        throw new InvalidRequestException("email", label.isEmpty() ? MESSAGE
            : "mixes writing systems in the domain (a look-alike of another address?); spell it in one");
      }
    }
    return canonical;
  }

  /** The spelling to look an address up by (at login): never refuses, so any input simply finds no account. */
  static String canonical(String email) {
    String s = email == null ? "" : Normalizer.normalize(email, Normalizer.Form.NFKC).strip()
        .toLowerCase(Locale.ROOT);
    while (s.endsWith(".") && s.indexOf('@') >= 0) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static boolean invisible(int cp) {
    int type = Character.getType(cp);
    return type == Character.FORMAT || type == Character.CONTROL || type == Character.PRIVATE_USE
        || type == Character.UNASSIGNED || Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  /** Whether letters of more than one script occur (digits and punctuation are common to all). */
  private static boolean mixesScripts(String part) {
    Set<UnicodeScript> scripts = EnumSet.noneOf(UnicodeScript.class);
    part.codePoints().forEach(cp -> {
      UnicodeScript script = UnicodeScript.of(cp);
      if (script != UnicodeScript.COMMON && script != UnicodeScript.INHERITED && script != UnicodeScript.UNKNOWN) {
        scripts.add(script);
      }
    });
    return scripts.size() > 1 && !JAPANESE.containsAll(scripts) && !KOREAN.containsAll(scripts);
  }

  /** Writing systems that are used together by design. */
  private static final Set<UnicodeScript> JAPANESE = EnumSet.of(UnicodeScript.HAN, UnicodeScript.HIRAGANA,
      UnicodeScript.KATAKANA);
  private static final Set<UnicodeScript> KOREAN = EnumSet.of(UnicodeScript.HAN, UnicodeScript.HANGUL);
}
