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

  /** The person's dashboard sessions, this one ({@code currentSession}) first, then the most recently used. */
  List<SessionInfo> sessions(UserId userId, String currentSession);

  /** Signs one of the person's other sessions out, by its {@link SessionInfo#ref}; false when there is none. */
  boolean signOut(UserId userId, String sessionRef, dev.reef.common.Actor actor);

  /**
   * Changes the person's email (their login) after checking their password; every other session is signed out
   * and the old address is told (when Reef can send email).
   *
   * @return the new address, normalised
   * @throws dev.reef.common.InvalidRequestException for a wrong password or an address that is not one
   * @throws dev.reef.common.ConflictException when another account has that address
   */
  String changeEmail(UserId userId, String password, String newEmail, String keepSession,
      dev.reef.common.Actor actor);

  /**
   * One signed-in dashboard session.
   *
   * @param ref a stand-in for the session's id (a hash): safe to show and post back, useless as a session cookie
   * @param from the client address it signed in from; {@code browser} its user agent, shortened
   */
  record SessionInfo(String ref, java.time.Instant signedInAt, java.time.Instant lastUsedAt, String from,
      String browser, boolean current) {}

  record Membership(TenantId tenantId, UserId userId, Role role) {}
}
