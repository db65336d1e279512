package dev.reef.common;

/** Whether a tenant's credentials work. A suspended tenant's users and keys are refused with 403. */
public enum TenantStatus {
  ACTIVE,
  SUSPENDED;

  public String json() {
    return name().toLowerCase();
  }
}
