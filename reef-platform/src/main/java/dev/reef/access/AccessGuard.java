package dev.reef.access;

import dev.reef.common.TenantId;

/**
 * The one access check at the top of every endpoint: a resource (the tenant) plus an operation.
 *
 * <p>Order of refusals: no credential is 401; a caller who is not in the tenant gets 404 (another tenant's resources
 * are indistinguishable from missing ones); a suspended tenant's caller gets 403 {@code tenant-suspended}; a member
 * or key without the role or scope gets 403. On success the request's data scope is bound to the tenant, so
 * row-level security sees the same tenant the guard admitted.
 */
public interface AccessGuard {

  Caller require(TenantId tenantId, TenantPermission permission);

  /** Only the tenant visibility part of {@link #require}: exists, caller belongs, not suspended. */
  Caller requireVisible(TenantId tenantId);

  /** Platform-wide operations; binds the platform data scope. Non-operators get 403. */
  Caller requireOperator();

  /** The authenticated caller; 401 if there is none. */
  Caller caller();
}
