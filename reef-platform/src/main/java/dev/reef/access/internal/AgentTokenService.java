package dev.reef.access.internal;

import dev.reef.access.AgentTokens;
import dev.reef.access.Caller;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class AgentTokenService implements AgentTokens {

  static final String PREFIX = "reef_at_";

  /** Published after a token is revoked, so caches drop it. */
  record AgentTokensRevoked(TenantId tenantId, UUID agentId) {}

  private final AgentTokenRepository tokens;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  AgentTokenService(AgentTokenRepository tokens, ApplicationEventPublisher events, Clock clock) {
    this.tokens = tokens;
    this.events = events;
    this.clock = clock;
  }

  @Override
  @Transactional
  public String mint(TenantId tenantId, UUID agentId) {
    return DataScope.callAs(tenantId, () -> {
      revokeQuietly(tenantId, agentId);
      String secret = SecretTokens.generate(PREFIX);
      tokens.insert(tenantId, agentId, SecretTokens.sha256(secret), clock.instant());
      return secret;
    });
  }

  @Override
  @Transactional
  public void revoke(TenantId tenantId, UUID agentId) {
    DataScope.runAs(tenantId, () -> revokeQuietly(tenantId, agentId));
  }

  private void revokeQuietly(TenantId tenantId, UUID agentId) {
    if (tokens.revokeAll(tenantId, agentId, clock.instant()) > 0) {
      events.publishEvent(new AgentTokensRevoked(tenantId, agentId));
    }
  }

  Optional<Caller> resolve(String secret, String sourceAddress) {
    return resolveHash(SecretTokens.sha256(secret), sourceAddress);
  }

  Optional<Caller> resolveHash(String hash, String sourceAddress) {
    return DataScope.callAsPlatform(() -> tokens.findActiveByHashAcrossTenants(hash))
        .map(row -> new Caller.Agent(row.tenantId(), row.agentId(), sourceAddress));
  }
}
