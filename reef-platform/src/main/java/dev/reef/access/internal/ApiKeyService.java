package dev.reef.access.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.access.AccessEvents;
import dev.reef.access.ApiKeyScope;
import dev.reef.access.Caller;
import dev.reef.access.TenantApiKeys;
import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Creating, listing, revoking and resolving API keys. Secrets exist only in the creation response. */
@Service
@Transactional
class ApiKeyService implements TenantApiKeys {

  /** last_used_at is informational: writing it at most once a minute per key keeps the hot path read-only. */
  private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

  private final ApiKeyRepository keys;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final Cache<UUID, Boolean> recentlyTouched =
      Caffeine.newBuilder().expireAfterWrite(TOUCH_INTERVAL).maximumSize(100_000).build();

  ApiKeyService(ApiKeyRepository keys, ApplicationEventPublisher events, Clock clock) {
    this.keys = keys;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public CreatedKey create(TenantId tenantId, String name, Set<ApiKeyScope> scopes, UserId createdBy, Actor actor) {
    String cleanName = checkName(name);
    if (scopes.isEmpty()) {
      throw new InvalidRequestException("scopes", "must name at least one of read, write, admin, llm");
    }
    String secret = SecretTokens.generate(SecretTokens.TENANT_KEY_PREFIX);
    Instant now = clock.instant();
    ApiKeyRepository.KeyRow row = new ApiKeyRepository.KeyRow(UUID.randomUUID(), tenantId, cleanName,
        SecretTokens.hint(secret, SecretTokens.TENANT_KEY_PREFIX), EnumSet.copyOf(scopes), createdBy, now, null,
        null);
    keys.insert(tenantId, row, SecretTokens.sha256(secret));
    events.publishEvent(new AccessEvents.ApiKeyCreated(tenantId, actor, row.id().toString(), cleanName,
        ApiKeyRepository.encode(row.scopes()).toLowerCase()));
    return new CreatedKey(row.id(), tenantId, cleanName, secret, row.hint(), row.scopes(), now);
  }

  List<ApiKeyRepository.KeyRow> list(TenantId tenantId) {
    return keys.list(tenantId);
  }

  @Override
  public List<KeyInfo> listKeys(TenantId tenantId) {
    return list(tenantId).stream().map(k -> new KeyInfo(k.id(), k.name(), k.hint(), k.scopes(), k.createdAt(),
        k.lastUsedAt(), k.revokedAt())).toList();
  }

  @Override
  public void revoke(TenantId tenantId, UUID keyId, Actor actor) {
    ApiKeyRepository.KeyRow key = keys.find(tenantId, keyId)
        .orElseThrow(() -> new NotFoundException("API key", keyId.toString()));
    if (keys.revoke(tenantId, keyId, clock.instant())) {
      events.publishEvent(new AccessEvents.ApiKeyRevoked(tenantId, actor, keyId.toString(), key.name()));
    }
  }

  record CreatedOperatorKey(UUID id, String name, String secret, String hint, Instant createdAt) {}

  CreatedOperatorKey createOperatorKey(String name, UserId createdBy, Actor actor) {
    String cleanName = checkName(name);
    String secret = SecretTokens.generate(SecretTokens.OPERATOR_KEY_PREFIX);
    Instant now = clock.instant();
    ApiKeyRepository.KeyRow row = new ApiKeyRepository.KeyRow(UUID.randomUUID(), null, cleanName,
        SecretTokens.hint(secret, SecretTokens.OPERATOR_KEY_PREFIX), EnumSet.noneOf(ApiKeyScope.class), createdBy,
        now, null, null);
    keys.insertOperatorKey(row, SecretTokens.sha256(secret));
    events.publishEvent(new AccessEvents.OperatorKeyChanged(actor, row.id().toString(), cleanName, true));
    return new CreatedOperatorKey(row.id(), cleanName, secret, row.hint(), now);
  }

  List<ApiKeyRepository.KeyRow> listOperatorKeys() {
    return keys.listOperatorKeys();
  }

  void revokeOperatorKey(UUID keyId, Actor actor) {
    ApiKeyRepository.KeyRow key = keys.findOperatorKey(keyId)
        .orElseThrow(() -> new NotFoundException("operator API key", keyId.toString()));
    if (keys.revokeOperatorKey(keyId, clock.instant())) {
      events.publishEvent(new AccessEvents.OperatorKeyChanged(actor, keyId.toString(), key.name(), false));
    }
  }

  /** The caller a presented secret stands for, if it is a live key. Runs in platform scope: no tenant known yet. */
  Optional<Caller> resolve(String secret, String sourceAddress) {
    if (secret.startsWith(SecretTokens.TENANT_KEY_PREFIX)) {
      return resolveTenantKey(SecretTokens.sha256(secret), sourceAddress);
    }
    if (secret.startsWith(SecretTokens.OPERATOR_KEY_PREFIX)) {
      String hash = SecretTokens.sha256(secret);
      return DataScope.callAsPlatform(() -> keys.findActiveOperatorKeyByHash(hash).map(k -> {
        touch(k.id(), () -> keys.touchOperatorKey(k.id(), clock.instant()));
        return new Caller.OperatorKey(k.id(), k.name(), sourceAddress);
      }));
    }
    return Optional.empty();
  }

  /** The live tenant key with this hash, if any. Runs in platform scope: no tenant known yet. */
  Optional<Caller> resolveTenantKey(String hash, String sourceAddress) {
    return DataScope.callAsPlatform(() -> keys.findActiveByHashAcrossTenants(hash).map(k -> {
      touch(k.id(), () -> keys.touch(k.tenantId(), k.id(), clock.instant()));
      return new Caller.TenantKey(k.tenantId(), k.id(), k.name(), k.scopes(), sourceAddress);
    }));
  }

  private void touch(UUID keyId, Runnable write) {
    if (recentlyTouched.asMap().putIfAbsent(keyId, Boolean.TRUE) == null) {
      write.run();
    }
  }

  private static String checkName(String name) {
    String trimmed = name == null ? "" : name.trim();
    if (trimmed.isEmpty() || trimmed.length() > 100) {
      throw new InvalidRequestException("name", "must be 1 to 100 characters");
    }
    return trimmed;
  }
}
