package dev.reef.access.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.access.AccessEvents;
import dev.reef.access.BearerCredentials;
import dev.reef.access.Caller;
import java.time.Duration;
import java.util.Optional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.stereotype.Component;

/**
 * Bearer resolution with a short-lived cache keyed by the secret's hash (never the secret). Unknown secrets are
 * cached too, so a client hammering with a wrong key costs no database queries.
 */
@Component
final class CachedBearerCredentials implements BearerCredentials {

  private static final Duration TTL = Duration.ofSeconds(5);

  private final ApiKeyService keys;
  private final Cache<String, Optional<Caller>> cache =
      Caffeine.newBuilder().expireAfterWrite(TTL).maximumSize(200_000).build();

  CachedBearerCredentials(ApiKeyService keys) {
    this.keys = keys;
  }

  @Override
  public Optional<Caller> resolve(String secret, String sourceAddress) {
    if (!secret.startsWith(SecretTokens.TENANT_KEY_PREFIX) || secret.length() > 200) {
      return Optional.empty();
    }
    Optional<Caller> caller = cache.get(SecretTokens.sha256(secret), h -> keys.resolve(secret, ""));
    // the source address belongs to this request, not to the cached entry
    return caller.map(c -> c instanceof Caller.TenantKey k
        ? new Caller.TenantKey(k.tenantId(), k.keyId(), k.name(), k.scopes(), sourceAddress) : c);
  }

  /** After commit: invalidating earlier could let a concurrent request re-cache the key before it is revoked. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(AccessEvents.ApiKeyRevoked revoked) {
    // The hash is not in the event; revocations are rare, so dropping the whole cache is cheap and certain.
    cache.invalidateAll();
  }
}
