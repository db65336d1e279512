package dev.reef.access;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.util.List;
import java.util.Optional;

/** Users and their memberships, for modules that create tenants (sign-up) or show who belongs where. */
public interface UserAccounts {

  /** Creates a user with a password; 409 if the email is taken, 400 if the password is too weak. */
  UserId register(String email, String password);

  Optional<UserId> findByEmail(String email);

  /** Adds (or changes) a membership. */
  void addMember(TenantId tenantId, UserId userId, Role role);

  /** The tenants a user belongs to, with the role in each. */
  List<Membership> membershipsOf(UserId userId);

  record Membership(TenantId tenantId, UserId userId, Role role) {}
}
