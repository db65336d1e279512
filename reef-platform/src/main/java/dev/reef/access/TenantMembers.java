package dev.reef.access;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's members, for the dashboard: the same operations as the members endpoints (only owners grant or remove
 * the owner role; a tenant always keeps one owner). Callers check access (the guard) first.
 */
public interface TenantMembers {

  List<Member> list(TenantId tenantId);

  /** Adds a member by email, creating the account with a temporary password when the person has none. */
  AddedMember add(TenantId tenantId, String email, Role role, Caller caller);

  void remove(TenantId tenantId, UserId userId, Caller caller);

  record Member(UserId userId, String email, Role role, Instant since) {}

  /** {@code temporaryPassword} is present only when the account was created now; it exists only here. */
  record AddedMember(Member member, Optional<String> temporaryPassword) {}
}
