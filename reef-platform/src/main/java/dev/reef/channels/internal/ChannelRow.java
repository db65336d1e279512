package dev.reef.channels.internal;

import dev.reef.common.TenantId;
import dev.reef.secrets.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One connected channel of an agent.
 *
 * @param hookId its name in the webhook URL, which finds it without knowing the tenant
 * @param webhookSecretHash SHA-256 (hex) of the secret the channel sends back with each update
 * @param credentials the sealed bot token
 * @param status {@code connected} or {@code error}
 */
record ChannelRow(TenantId tenantId, UUID agentId, ChannelType type, UUID hookId, String webhookSecretHash,
    SecretRef credentials, String botId, String botName, String dmPolicy, List<String> allowFrom, String status,
    String statusReason, Instant lastMessageAt, Instant connectedAt, Instant updatedAt) {

  ChannelRow {
    allowFrom = List.copyOf(allowFrom);
  }
}
