package dev.reef.common;

import java.util.Objects;
import java.util.UUID;

/** A user's identity. Users are platform-wide: one user may be a member of several tenants. */
public record UserId(UUID value) {

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
