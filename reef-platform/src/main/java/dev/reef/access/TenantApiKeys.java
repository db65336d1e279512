package dev.reef.access;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Tenant API keys, for modules that hand one out (sign-up returns the tenant's first key) or list them (the dashboard). */
public interface TenantApiKeys {

  /** Creates a key; the secret is in the result and nowhere else, ever. {@code actor} is who the audit log names. */
  CreatedKey create(TenantId tenantId, String name, Set<ApiKeyScope> scopes, UserId createdBy, Actor actor);

  /** The tenant's keys, newest first, revoked ones included; never their secrets. */
  List<KeyInfo> listKeys(TenantId tenantId);

  /** Revokes a key: it stops working at once. 404 if the tenant has no such key. */
  void revoke(TenantId tenantId, UUID keyId, Actor actor);

  /** A key as it can be shown after creation: {@code hint} is its masked form. */
  record KeyInfo(UUID id, String name, String hint, Set<ApiKeyScope> scopes, Instant createdAt, Instant lastUsedAt,
      Instant revokedAt) {}

  /** A newly created key: {@code secret} is shown once and stored only as a hash. */
  record CreatedKey(UUID id, TenantId tenantId, String name, String secret, String hint, Set<ApiKeyScope> scopes,
      Instant createdAt) {}
}
