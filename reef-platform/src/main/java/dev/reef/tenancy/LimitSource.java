package dev.reef.tenancy;

/** Where an effective limit came from, in order of precedence. */
public enum LimitSource {
  TENANT,
  PLAN,
  PLATFORM;

  public String json() {
    return name().toLowerCase();
  }
}
