package dev.reef.access;

/**
 * Every operation on a tenant's resources, with the least role a member needs and the scope an API key needs.
 * A permission with no role is the operator's alone. The guard denies anything not listed here.
 */
public enum TenantPermission {
  TENANT_READ(Role.MEMBER, ApiKeyScope.READ),
  TENANT_UPDATE(Role.ADMIN, ApiKeyScope.ADMIN),
  TENANT_DELETE(Role.OWNER, ApiKeyScope.ADMIN),
  TENANT_SUSPEND(null, null),
  MEMBERS_READ(Role.MEMBER, ApiKeyScope.READ),
  MEMBERS_MANAGE(Role.ADMIN, ApiKeyScope.ADMIN),
  API_KEYS_READ(Role.ADMIN, ApiKeyScope.ADMIN),
  API_KEYS_MANAGE(Role.ADMIN, ApiKeyScope.ADMIN),
  LIMITS_READ(Role.MEMBER, ApiKeyScope.READ),
  LIMITS_WRITE(null, null),
  AUDIT_READ(Role.ADMIN, ApiKeyScope.ADMIN),
  USAGE_READ(Role.MEMBER, ApiKeyScope.READ),
  PROVIDER_KEYS_READ(Role.ADMIN, ApiKeyScope.ADMIN),
  PROVIDER_KEYS_MANAGE(Role.ADMIN, ApiKeyScope.ADMIN),
  AGENTS_READ(Role.MEMBER, ApiKeyScope.READ),
  AGENTS_MANAGE(Role.MEMBER, ApiKeyScope.WRITE),
  AGENTS_CHAT(Role.MEMBER, ApiKeyScope.WRITE),
  EGRESS_READ(Role.MEMBER, ApiKeyScope.READ),
  EGRESS_WRITE(null, null);

  private final Role minimumRole;
  private final ApiKeyScope requiredScope;

  TenantPermission(Role minimumRole, ApiKeyScope requiredScope) {
    this.minimumRole = minimumRole;
    this.requiredScope = requiredScope;
  }

  /** Null when only the operator may do this. */
  public Role minimumRole() {
    return minimumRole;
  }

  public ApiKeyScope requiredScope() {
    return requiredScope;
  }

  public boolean operatorOnly() {
    return minimumRole == null;
  }
}
