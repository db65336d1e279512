package dev.reef.access;

/** A member's role within one tenant; each includes the rights of the ones below it. */
public enum Role {
  MEMBER,
  ADMIN,
  OWNER;

  public boolean atLeast(Role other) {
    return compareTo(other) >= 0;
  }

  public String json() {
    return name().toLowerCase();
  }

  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(text)) {
        return r;
      }
    }
    throw new dev.reef.common.InvalidRequestException("role", "must be one of owner, admin, member");
  }
}
