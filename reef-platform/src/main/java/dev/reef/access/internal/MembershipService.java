package dev.reef.access.internal;

import dev.reef.access.AccessEvents;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.common.ConflictException;
import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Adding and removing members. Only owners grant or remove the owner role; a tenant always keeps one owner. */
@Service
class MembershipService {

  private final MembershipRepository memberships;
  private final UserRepository users;
  private final PasswordEncoder passwords;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  MembershipService(MembershipRepository memberships, UserRepository users, PasswordEncoder passwords,
      ApplicationEventPublisher events, Clock clock) {
    this.memberships = memberships;
    this.users = users;
    this.passwords = passwords;
    this.events = events;
    this.clock = clock;
  }

  /** A new member; {@code temporaryPassword} is set only when the person had no account yet. */
  record AddedMember(MembershipRepository.MemberRow member, Optional<String> temporaryPassword) {}

  @Transactional
  AddedMember add(TenantId tenantId, String email, Role role, Caller caller) {
    String normalized = EmailAddresses.normalize(email);
    if (role == Role.OWNER) {
      requireOwner(tenantId, caller, "Only an owner can add another owner.");
    }
    // Users are platform-wide: finding or creating one is platform work; the membership itself is tenant work.
    Optional<UserRepository.UserRow> existing = DataScope.callAsPlatform(() -> users.findByEmail(normalized));
    Optional<String> temporaryPassword = Optional.empty();
    UserId userId;
    if (existing.isPresent()) {
      userId = existing.get().id();
      if (memberships.role(tenantId, userId).isPresent()) {
        throw new ConflictException(normalized + " is already a member of this tenant.");
      }
    } else {
      String password = SecretTokens.password();
      userId = UserId.random();
      UserId newId = userId;
      DataScope.runAsPlatform(() -> users.insert(newId, normalized, passwords.encode(password), false,
          clock.instant()));
      temporaryPassword = Optional.of(password);
    }
    memberships.upsert(tenantId, userId, role, clock.instant());
    events.publishEvent(new AccessEvents.MemberAdded(tenantId, caller.actor(), userId.toString(), normalized,
        role.json()));
    UserId added = userId;
    MembershipRepository.MemberRow row = memberships.list(tenantId).stream()
        .filter(m -> m.userId().equals(added)).findFirst().orElseThrow();
    return new AddedMember(row, temporaryPassword);
  }

  @Transactional
  void remove(TenantId tenantId, UserId userId, Caller caller) {
    MembershipRepository.MemberRow member = memberships.list(tenantId).stream()
        .filter(m -> m.userId().equals(userId)).findFirst()
        .orElseThrow(() -> new NotFoundException("member", userId.toString()));
    if (member.role() == Role.OWNER) {
      requireOwner(tenantId, caller, "Only an owner can remove an owner.");
      if (memberships.countOwners(tenantId) <= 1) {
        throw new ConflictException("This is the tenant's last owner; add another owner first.");
      }
    }
    memberships.delete(tenantId, userId);
    events.publishEvent(new AccessEvents.MemberRemoved(tenantId, caller.actor(), userId.toString(),
        member.email()));
  }

  @Transactional(readOnly = true)
  List<MembershipRepository.MemberRow> list(TenantId tenantId) {
    return memberships.list(tenantId);
  }

  private void requireOwner(TenantId tenantId, Caller caller, String message) {
    boolean owner = switch (caller) {
      case Caller.User u when u.operator() -> true;
      case Caller.User u -> memberships.role(tenantId, u.userId()).filter(r -> r == Role.OWNER).isPresent();
      case Caller.OperatorKey k -> true;
      // a key carries no role of its own: an admin-scoped key acts with admin rights, never owner rights
      case Caller.TenantKey k -> false;
      case Caller.Agent a -> false;
    };
    if (!owner) {
      throw new ProblemException(ProblemType.FORBIDDEN, message);
    }
  }
}
