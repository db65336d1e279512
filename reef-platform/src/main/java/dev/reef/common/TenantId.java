package dev.reef.common;

import java.util.Objects;
import java.util.UUID;

/** A tenant's identity. First parameter of every repository method that touches tenant-owned data. */
public record TenantId(UUID value) {

  public TenantId {
    Objects.requireNonNull(value, "value");
  }

  public static TenantId random() {
    return new TenantId(UUID.randomUUID());
  }

  /** Parses a path or token value; a malformed id is indistinguishable from an unknown one, so it reads as 404. */
  public static TenantId parse(String text) {
    return new TenantId(Ids.parseUuid(text, "tenant"));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
