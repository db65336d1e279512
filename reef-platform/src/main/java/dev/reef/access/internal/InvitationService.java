package dev.reef.access.internal;

import dev.reef.access.AccessEvents;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantInvitations;
import dev.reef.common.Actor;
import dev.reef.common.ConflictException;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Invitations, the only way into a tenant besides creating it. Inviting never touches accounts, so its answer is
 * the same whether the address has one or not; the token, handed to the invitee by whoever invited them, is what
 * proves the invitee was meant, and accepting also needs the address's password (or creates the account). An
 * account someone registered first with a victim's address therefore gains nothing from the victim's invitations.
 */
@Service
class InvitationService implements TenantInvitations {

  static final String TOKEN_PREFIX = "reef_inv_";
  private static final String GONE = "This invitation is unknown, used, revoked or expired; ask for a new one.";

  private final InvitationRepository invitations;
  private final MembershipRepository memberships;
  private final UserRepository users;
  private final UserAccountService accounts;
  private final AuthenticationManager passwords;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final Duration ttl;
  private final TransactionTemplate transactions;

  InvitationService(InvitationRepository invitations, MembershipRepository memberships, UserRepository users,
      UserAccountService accounts, AuthenticationManager passwords, ApplicationEventPublisher events, Clock clock,
      PlatformTransactionManager transactionManager, @Value("${reef.invitations.ttl:7d}") Duration ttl) {
    this.invitations = invitations;
    this.memberships = memberships;
    this.users = users;
    this.accounts = accounts;
    this.passwords = passwords;
    this.events = events;
    this.clock = clock;
    this.ttl = ttl;
    this.transactions = new TransactionTemplate(transactionManager);
  }

  @Override
  @Transactional
  public Invited invite(TenantId tenantId, String email, Role role, Caller caller) {
    String address = EmailAddresses.normalize(email);
    if (role == Role.OWNER) {
      MembershipService.requireOwner(memberships, tenantId, caller, "Only an owner can invite another owner.");
    }
    // Whether the address is a member is the tenant's own business (its member list says so); whether it has an
    // account anywhere is not, and nothing below depends on it.
    boolean member = memberships.list(tenantId).stream().anyMatch(m -> m.email().equals(address));
    if (member) {
      throw new ConflictException(address + " is already a member of this tenant.");
    }
    Instant now = clock.instant();
    invitations.revokePendingFor(tenantId, address, now);
    String token = SecretTokens.generate(TOKEN_PREFIX);
    InvitationRepository.InvitationRow row = new InvitationRepository.InvitationRow(UUID.randomUUID(), tenantId,
        address, role, truncate(caller.actor().display()), now, now.plus(ttl), null, null, null);
    invitations.insert(tenantId, row, SecretTokens.sha256(token));
    events.publishEvent(new AccessEvents.InvitationCreated(tenantId, caller.actor(), row.id().toString(), address,
        role.json()));
    return new Invited(view(row, now), token);
  }

  @Override
  @Transactional(readOnly = true)
  public List<Invitation> list(TenantId tenantId) {
    Instant now = clock.instant();
    return invitations.list(tenantId, 200).stream().map(r -> view(r, now)).toList();
  }

  @Override
  @Transactional
  public void revoke(TenantId tenantId, UUID invitationId, Caller caller) {
    InvitationRepository.InvitationRow row = invitations.find(tenantId, invitationId)
        .orElseThrow(() -> new NotFoundException("invitation", invitationId.toString()));
    if (row.acceptedAt() != null) {
      throw new ConflictException("This invitation was accepted already; remove the member instead.");
    }
    if (invitations.revoke(tenantId, invitationId, clock.instant())) {
      events.publishEvent(new AccessEvents.InvitationRevoked(tenantId, caller.actor(), invitationId.toString(),
          row.email()));
    }
  }

  @Override
  @Transactional(readOnly = true)
  public Optional<Invitation> pending(String token) {
    Instant now = clock.instant();
    return lookUp(token).filter(r -> r.status(now).equals("pending")).map(r -> view(r, now));
  }

  @Override
  public Accepted accept(String token, Caller.User user) {
    InvitationRepository.InvitationRow row = pendingRow(token);
    if (!EmailAddresses.canonical(user.email()).equals(row.email())) {
      throw new ProblemException(ProblemType.FORBIDDEN, "This invitation is for another address; log in as "
          + row.email() + " to accept it.");
    }
    return transactions.execute(tx -> join(row, user.userId(), user.actor()));
  }

  /**
   * Not one transaction as a whole: a wrong password is written to the audit log (and counted by the throttle) even
   * though nothing else happens. Creating the account and joining are one.
   */
  @Override
  public Accepted acceptWithPassword(String token, String password) {
    InvitationRepository.InvitationRow row = pendingRow(token);
    if (password == null || password.isEmpty()) {
      throw new InvalidRequestException("password", "is required: the password of the account at "
          + row.email() + ", or a new one to create it");
    }
    Optional<UserRepository.UserRow> existing = DataScope.callAsPlatform(() -> users.findByEmail(row.email()));
    if (existing.isPresent()) {
      try {
        passwords.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(row.email(), password));
      } catch (PasswordAuthentication.LoginThrottledException e) {
        throw new ProblemException(ProblemType.TOO_MANY_REQUESTS, e.getMessage());
      } catch (AuthenticationException e) {
        throw new ProblemException(ProblemType.UNAUTHENTICATED,
            "Wrong password for the account at " + row.email() + ".");
      }
      UserId id = existing.get().id();
      return transactions.execute(tx -> join(row, id, actor(id, row.email())));
    }
    return transactions.execute(tx -> {
      UserId created = DataScope.callAsPlatform(() -> accounts.create(row.email(), password, false));
      return join(row, created, actor(created, row.email()));
    });
  }

  private static Actor actor(UserId userId, String email) {
    return new Actor("user", userId.toString(), email, RequestOrigin.currentAddress());
  }

  private Accepted join(InvitationRepository.InvitationRow row, UserId userId, Actor actor) {
    return DataScope.callAs(row.tenantId(), () -> {
      if (memberships.role(row.tenantId(), userId).isPresent()) {
        throw new ConflictException("You are a member of this tenant already.");
      }
      if (!invitations.markAccepted(row.tenantId(), row.id(), userId, clock.instant())) {
        throw new ProblemException(ProblemType.NOT_FOUND, GONE);
      }
      memberships.upsert(row.tenantId(), userId, row.role(), clock.instant());
      events.publishEvent(new AccessEvents.MemberAdded(row.tenantId(), actor, userId.toString(), row.email(),
          row.role().json()));
      return new Accepted(row.tenantId(), userId, row.email(), row.role());
    });
  }

  private InvitationRepository.InvitationRow pendingRow(String token) {
    Instant now = clock.instant();
    return lookUp(token).filter(r -> r.status(now).equals("pending"))
        .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, GONE));
  }

  private Optional<InvitationRepository.InvitationRow> lookUp(String token) {
    if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) {
      return Optional.empty();
    }
    return DataScope.callAsPlatform(() -> invitations.findByTokenHashAcrossTenants(SecretTokens.sha256(token)));
  }

  private static Invitation view(InvitationRepository.InvitationRow r, Instant now) {
    return new Invitation(r.id(), r.tenantId(), r.email(), r.role(), r.status(now), r.invitedBy(), r.createdAt(),
        r.expiresAt());
  }

  private static String truncate(String s) {
    return s == null ? "" : s.length() > 300 ? s.substring(0, 300) : s;
  }
}
