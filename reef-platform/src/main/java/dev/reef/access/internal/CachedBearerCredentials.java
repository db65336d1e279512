package dev.reef.access.internal;

import dev.reef.access.AccessEvents;
import dev.reef.access.BearerCredentials;
import dev.reef.access.Caller;
import dev.reef.platform.OutageTolerantCache;
import java.time.Duration;
import java.util.Optional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.stereotype.Component;

/**
 * Bearer resolution with a short-lived cache keyed by the secret's hash (never the secret). Unknown secrets are
 * cached too, so a client hammering with a wrong key costs no database queries. Keys already seen keep working
 * while the database cannot be reached ({@link OutageTolerantCache}).
 */
@Component
final class CachedBearerCredentials implements BearerCredentials {

  private static final Duration TTL = Duration.ofSeconds(5);

  /** A secret's hash, and which kind of credential its prefix says it is. */
  private record Lookup(boolean agentToken, String hash) {}

  private final OutageTolerantCache<Lookup, Optional<Caller>> cache;

  CachedBearerCredentials(ApiKeyService keys, AgentTokenService agentTokens) {
    this.cache = new OutageTolerantCache<>(TTL, 200_000, lookup -> lookup.agentToken()
        ? agentTokens.resolveHash(lookup.hash(), "") : keys.resolveTenantKey(lookup.hash(), ""));
  }

  @Override
  public Optional<Caller> resolve(String secret, String sourceAddress) {
    if (secret.length() > 200) {
      return Optional.empty();
    }
    Optional<Caller> caller;
    if (secret.startsWith(SecretTokens.TENANT_KEY_PREFIX)) {
      caller = cache.get(new Lookup(false, SecretTokens.sha256(secret)));
    } else if (secret.startsWith(AgentTokenService.PREFIX)) {
      caller = cache.get(new Lookup(true, SecretTokens.sha256(secret)));
    } else {
      return Optional.empty();
    }
    // the source address belongs to this request, not to the cached entry
    return caller.map(c -> switch (c) {
      case Caller.TenantKey k -> new Caller.TenantKey(k.tenantId(), k.keyId(), k.name(), k.scopes(), sourceAddress);
      case Caller.Agent a -> new Caller.Agent(a.tenantId(), a.agentId(), sourceAddress);
      default -> c;
    });
  }

  /** After commit: invalidating earlier could let a concurrent request re-cache the key before it is revoked. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(AccessEvents.ApiKeyRevoked revoked) {
    // The hash is not in the event; revocations are rare, so dropping the whole cache is cheap and certain.
    cache.invalidateAll();
  }

  /** An agent's token dies with the agent's stop: at once, not at the end of the cache time. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(AgentTokenService.AgentTokensRevoked revoked) {
    cache.invalidateAll();
  }
}
