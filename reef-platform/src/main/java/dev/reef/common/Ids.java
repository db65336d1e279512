package dev.reef.common;

import java.util.UUID;

/** Parsing of identifiers that arrive in URLs: anything that is not a well-formed id is simply not found. */
public final class Ids {

  private Ids() {}

  public static UUID parseUuid(String text, String kind) {
    if (text == null || text.length() != 36) {
      throw new NotFoundException(kind, String.valueOf(text));
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new NotFoundException(kind, text);
    }
  }
}
