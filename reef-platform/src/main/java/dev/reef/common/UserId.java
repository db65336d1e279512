package dev.reef.common;

import java.util.Objects;
import java.util.UUID;

/**
 * A user's identity. Users are platform-wide: one user may be a member of several tenants. Serializable because a
 * signed-in dashboard user's session, which holds it, is stored in the database.
 */
public record UserId(UUID value) implements java.io.Serializable {

  public UserId {
    Objects.requireNonNull(value, "value");
  }

  public static UserId random() {
    return new UserId(UUID.randomUUID());
  }

  public static UserId parse(String text) {
    return new UserId(Ids.parseUuid(text, "user"));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
