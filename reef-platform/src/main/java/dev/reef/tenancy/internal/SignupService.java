package dev.reef.tenancy.internal;

import dev.reef.access.ApiKeyScope;
import dev.reef.access.Role;
import dev.reef.access.TenantApiKeys;
import dev.reef.access.UserAccounts;
import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.platform.ReefProperties;
import dev.reef.tenancy.Signups;
import dev.reef.tenancy.Tenant;
import java.util.EnumSet;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Self-service sign-up: a new active tenant on the default plan, its owner, and a first API key, atomically. */
@Service
class SignupService implements Signups {

  private final TenantService tenants;
  private final UserAccounts users;
  private final TenantApiKeys keys;
  private final ReefProperties properties;
  private final TransactionTemplate tx;

  SignupService(TenantService tenants, UserAccounts users, TenantApiKeys keys, ReefProperties properties,
      TransactionTemplate tx) {
    this.tenants = tenants;
    this.users = users;
    this.keys = keys;
    this.properties = properties;
    this.tx = tx;
  }

  @Override
  public boolean open() {
    return properties.signupOpen();
  }

  @Override
  public SignedUp signup(String email, String password, String tenantName, String sourceAddress) {
    return signup(email, password, tenantName, sourceAddress, true);
  }

  @Override
  public SignedUp signup(String email, String password, String tenantName, String sourceAddress,
      boolean firstKey) {
    if (!open()) {
      throw new ProblemException(ProblemType.SIGNUP_CLOSED,
          "Sign-up is closed on this Reef; ask the operator for an account (REEF_SIGNUP=open enables it).");
    }
    // Platform scope: the tenant does not exist yet, so there is no tenant scope to be in.
    return DataScope.callAsPlatform(() -> tx.execute(status -> {
      UserId userId = users.register(email, password);
      Actor actor = new Actor("user", userId.toString(), email.trim().toLowerCase(), sourceAddress);
      Tenant tenant = tenants.create(tenantName, null, null, actor, true);
      users.addMember(tenant.id(), userId, Role.OWNER);
      if (!firstKey) {
        return new SignedUp(tenant.id(), userId, null, tenant);
      }
      TenantApiKeys.CreatedKey key = keys.create(tenant.id(), "default", EnumSet.allOf(ApiKeyScope.class), userId,
          actor);
      return new SignedUp(tenant.id(), userId, key.secret(), tenant);
    }));
  }
}
