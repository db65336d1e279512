package dev.reef.access.internal;

import dev.reef.access.Role;
import dev.reef.access.UserAccounts;
import dev.reef.common.ConflictException;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
@Transactional
class UserAccountService implements UserAccounts {

  private final UserRepository users;
  private final MembershipRepository memberships;
  private final PasswordEncoder passwords;
  private final Clock clock;
  private final org.springframework.session.FindByIndexNameSessionRepository<?> sessions;
  private final org.springframework.context.ApplicationEventPublisher events;
  private final Mailer mailer;

  UserAccountService(UserRepository users, MembershipRepository memberships, PasswordEncoder passwords,
      org.springframework.session.FindByIndexNameSessionRepository<?> sessions,
      org.springframework.context.ApplicationEventPublisher events, Mailer mailer, Clock clock) {
    this.mailer = mailer;
    this.users = users;
    this.memberships = memberships;
    this.passwords = passwords;
    this.sessions = sessions;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public void changePassword(UserId userId, String currentPassword, String newPassword, String keepSession,
      dev.reef.common.Actor actor) {
    UserRepository.UserRow user = users.findById(userId)
        .orElseThrow(() -> new dev.reef.common.NotFoundException("user", userId.toString()));
    if (currentPassword == null || !passwords.matches(currentPassword, user.passwordHash())) {
      throw new dev.reef.common.InvalidRequestException("currentPassword", "is not your current password");
    }
    if (newPassword != null && newPassword.equals(currentPassword)) {
      throw new dev.reef.common.InvalidRequestException("newPassword", "must differ from the current one");
    }
    PasswordPolicy.check(user.email(), newPassword);
    users.updatePassword(userId, passwords.encode(newPassword));
    // whoever had the old password may have a session open with it: only this one stays
    endSessions(user.email(), keepSession);
    events.publishEvent(new dev.reef.access.AccessEvents.AccountChanged(actor, "password_changed"));
  }

  @Override
  public int signOutElsewhere(UserId userId, String keepSession, dev.reef.common.Actor actor) {
    UserRepository.UserRow user = users.findById(userId)
        .orElseThrow(() -> new dev.reef.common.NotFoundException("user", userId.toString()));
    int ended = endSessions(user.email(), keepSession);
    events.publishEvent(new dev.reef.access.AccessEvents.AccountChanged(actor, "signed_out_elsewhere"));
    return ended;
  }

  @Override
  public boolean mustChangePassword(UserId userId) {
    return users.mustChangePassword(userId);
  }

  @Override
  public List<SessionInfo> sessions(UserId userId, String currentSession) {
    String email = users.findById(userId).map(UserRepository.UserRow::email).orElse(null);
    if (email == null) {
      return List.of();
    }
    List<SessionInfo> list = new java.util.ArrayList<>();
    sessions.findByPrincipalName(email).forEach((id, session) -> list.add(new SessionInfo(
        SessionDetails.ref(id), session.getCreationTime(), session.getLastAccessedTime(),
        SessionDetails.from(session), SessionDetails.browser(session), id.equals(currentSession))));
    list.sort(java.util.Comparator.comparing(SessionInfo::current).reversed()
        .thenComparing(SessionInfo::lastUsedAt, java.util.Comparator.reverseOrder()));
    return list;
  }

  @Override
  public boolean signOut(UserId userId, String sessionRef, dev.reef.common.Actor actor) {
    String email = users.findById(userId).map(UserRepository.UserRow::email).orElse(null);
    if (email == null || sessionRef == null) {
      return false;
    }
    for (String id : List.copyOf(sessions.findByPrincipalName(email).keySet())) {
      if (SessionDetails.ref(id).equals(sessionRef)) {
        sessions.deleteById(id);
        events.publishEvent(new dev.reef.access.AccessEvents.AccountChanged(actor, "signed_out_session"));
        return true;
      }
    }
    return false;
  }

  @Override
  public String changeEmail(UserId userId, String password, String newEmail, String keepSession,
      dev.reef.common.Actor actor) {
    UserRepository.UserRow user = users.findById(userId)
        .orElseThrow(() -> new dev.reef.common.NotFoundException("user", userId.toString()));
    if (password == null || !passwords.matches(password, user.passwordHash())) {
      throw new dev.reef.common.InvalidRequestException("password", "is not your password");
    }
    String normalized = EmailAddresses.normalize(newEmail);
    if (normalized.equals(user.email())) {
      throw new dev.reef.common.InvalidRequestException("email", "is already your email");
    }
    if (users.findByEmail(normalized).isPresent()) {
      throw new ConflictException("Another account uses " + normalized + ".");
    }
    endSessions(user.email(), keepSession);
    users.updateEmail(userId, normalized);
    events.publishEvent(new dev.reef.access.AccessEvents.AccountChanged(actor, "email_changed"));
    if (mailer.available()) {
      try {
        mailer.send(user.email(), "Your Reef email was changed", "The email of your Reef account was changed from "
            + user.email() + " to " + normalized + ". You log in with the new one from now on.\n\nIf it was not "
            + "you, someone knows your password: tell your operator at once.\n");
      } catch (RuntimeException e) {
        // logged by the mailer; the change stands
      }
    }
    return normalized;
  }

  private int endSessions(String email, String keep) {
    int ended = 0;
    for (String id : java.util.List.copyOf(sessions.findByPrincipalName(email).keySet())) {
      if (!id.equals(keep)) {
        sessions.deleteById(id);
        ended++;
      }
    }
    return ended;
  }

  @Override
  public UserId register(String email, String password) {
    return create(email, password, false);
  }

  /** A user whose password someone else chose: they are asked to replace it at their first login. */
  UserId createWithTemporaryPassword(String email, String password, boolean operator) {
    UserId id = create(email, password, operator);
    users.markMustChangePassword(id);
    return id;
  }

  UserId create(String email, String password, boolean operator) {
    String normalized = EmailAddresses.normalize(email);
    PasswordPolicy.check(normalized, password);
    if (users.findByEmail(normalized).isPresent()) {
      throw new ConflictException("An account with email " + normalized + " already exists; log in instead.");
    }
    UserId id = UserId.random();
    users.insert(id, normalized, passwords.encode(password), operator, clock.instant());
    return id;
  }

  @Override
  public Optional<UserId> findByEmail(String email) {
    return users.findByEmail(EmailAddresses.canonical(email)).map(UserRepository.UserRow::id);
  }

  @Override
  public void addMember(TenantId tenantId, UserId userId, Role role) {
    memberships.upsert(tenantId, userId, role, clock.instant());
  }

  @Override
  public List<Membership> membershipsOf(UserId userId) {
    return memberships.acrossTenants(userId);
  }
}
