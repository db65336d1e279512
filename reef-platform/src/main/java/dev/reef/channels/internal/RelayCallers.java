package dev.reef.channels.internal;

import dev.reef.access.BearerCredentials;
import dev.reef.access.Caller;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Who calls one of Reef's channel relays: an agent proves itself with its own agent token (as it does at the LLM
 * proxy), and gets at most its own channel of the relay's type. Any other token, or an agent without that channel,
 * is nobody.
 */
@Component
class RelayCallers {

  private final BearerCredentials credentials;
  private final ChannelRepository channels;
  private final ChannelService service;
  private final TransactionTemplate tx;

  RelayCallers(BearerCredentials credentials, ChannelRepository channels, ChannelService service,
      TransactionTemplate tx) {
    this.credentials = credentials;
    this.channels = channels;
    this.service = service;
    this.tx = tx;
  }

  /** The channel of this type of the agent whose live agent token this is. */
  Optional<ChannelRow> channel(String agentToken, String sourceAddress, ChannelType type) {
    if (agentToken == null || agentToken.isEmpty()) {
      return Optional.empty();
    }
    Optional<Caller> caller = credentials.resolve(agentToken, sourceAddress);
    if (caller.isEmpty() || !(caller.get() instanceof Caller.Agent agent)) {
      return Optional.empty();
    }
    TenantId tenantId = agent.tenantId();
    return DataScope.callAs(tenantId, () -> tx.execute(s -> channels.find(tenantId, agent.agentId(), type)));
  }

  /** The channel's real credentials, for the relay to put in place of the agent's stand-ins. */
  Map<String, String> credentials(ChannelRow channel) {
    return DataScope.callAs(channel.tenantId(), () -> tx.execute(s -> service.credentials(channel)));
  }

  /** Notes that a message for the channel passed through a relay (the channel's "last message"). */
  void messageArrived(ChannelRow channel, java.time.Instant at) {
    DataScope.runAs(channel.tenantId(), () -> tx.executeWithoutResult(s -> channels.messageArrived(
        channel.tenantId(), channel.hookId(), at)));
  }
}
