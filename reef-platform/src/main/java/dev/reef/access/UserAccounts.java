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

  /**
   * Changes a person's password after checking the current one; every other session of theirs is signed out.
   *
   * @param keepSession the session to keep (the one the change was made in), or null
   * @throws dev.reef.common.InvalidRequestException when the current password is wrong or the new one too weak
   */
  void changePassword(UserId userId, String currentPassword, String newPassword, String keepSession,
      dev.reef.common.Actor actor);

  /** Signs the person out of every session but {@code keepSession}; returns how many were ended. */
  int signOutElsewhere(UserId userId, String keepSession, dev.reef.common.Actor actor);

  /** Whether the person must replace a password chosen for them (the first operator's generated one) first. */
  boolean mustChangePassword(UserId userId);

  /** How many dashboard sessions the person has open, this one included. */
  int sessions(UserId userId);

  record Membership(TenantId tenantId, UserId userId, Role role) {}
}
