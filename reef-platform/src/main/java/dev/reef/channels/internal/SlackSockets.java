package dev.reef.channels.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.common.TenantId;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The Socket Mode addresses Slack handed out to agents' {@code apps.connections.open}, each behind a ticket of
 * Reef's: unguessable, good for one connection, within a minute (Slack's own address is short-lived too).
 */
@Component
class SlackSockets {

  /** A Socket Mode connection Slack offered one agent. */
  record Ticket(TenantId tenantId, UUID agentId, URI upstream) {
    @Override
    public String toString() {
      return "Ticket[tenant=" + tenantId + ", agent=" + agentId + "]"; // Slack's address is a credential
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Cache<String, Ticket> tickets = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1))
      .maximumSize(100_000).build();

  String issue(TenantId tenantId, UUID agentId, URI upstream) {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String ticket = HexFormat.of().formatHex(bytes);
    tickets.put(ticket, new Ticket(tenantId, agentId, upstream));
    return ticket;
  }

  /** The ticket's connection, once. */
  Optional<Ticket> take(String ticket) {
    return Optional.ofNullable(tickets.asMap().remove(ticket));
  }
}
