package dev.reef.access;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's members, for the dashboard: the same operations as the members endpoints (only owners remove an owner;
 * a tenant always keeps one owner). People join through {@link TenantInvitations}. Callers check access (the guard)
 * first.
 */
public interface TenantMembers {

  List<Member> list(TenantId tenantId);

  void remove(TenantId tenantId, UserId userId, Caller caller);

  record Member(UserId userId, String email, Role role, Instant since) {}
}
