package dev.reef.access;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Tenant API keys, for modules that hand one out (sign-up returns the tenant's first key). */
public interface TenantApiKeys {

  /** Creates a key; the secret is in the result and nowhere else, ever. {@code actor} is who the audit log names. */
  CreatedKey create(TenantId tenantId, String name, Set<ApiKeyScope> scopes, UserId createdBy, Actor actor);

  /** A newly created key: {@code secret} is shown once and stored only as a hash. */
  record CreatedKey(UUID id, TenantId tenantId, String name, String secret, String hint, Set<ApiKeyScope> scopes,
      Instant createdAt) {}
}
