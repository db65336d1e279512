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

  UserAccountService(UserRepository users, MembershipRepository memberships, PasswordEncoder passwords,
      Clock clock) {
    this.users = users;
    this.memberships = memberships;
    this.passwords = passwords;
    this.clock = clock;
  }

  @Override
  public UserId register(String email, String password) {
    return create(email, password, false);
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
