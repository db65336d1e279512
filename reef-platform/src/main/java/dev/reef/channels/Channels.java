package dev.reef.channels;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The chat channels of tenants' agents, for the API and the dashboard. Every method takes the tenant first; another
 * tenant's agent is not found. Callers check access (the guard) before calling.
 */
public interface Channels {

  /** The channel types Reef connects, by their name in the API ({@code telegram}). */
  List<String> types();

  /** Every type, connected or not, in {@link #types()} order. */
  List<Channel> list(TenantId tenantId, UUID agentId);

  Channel get(TenantId tenantId, UUID agentId, String type);

  /**
   * Connects the channel (or changes its settings): the credentials are checked with the channel's service first,
   * so a wrong token is refused and stores nothing. A running agent restarts to pick it up.
   */
  Channel connect(TenantId tenantId, UUID agentId, String type, Connection connection, Actor actor);

  /** Disconnects it: the channel stops sending to Reef, its credentials and waiting updates are deleted. */
  Channel disconnect(TenantId tenantId, UUID agentId, String type, Actor actor);

  /**
   * What to connect with.
   *
   * @param botToken the bot's token; null on a change that keeps the stored one
   * @param appToken Slack only: the app-level token Socket Mode needs ({@code xapp-…}); null keeps the stored one
   * @param dmPolicy {@code allowlist} (only {@code allowFrom}) or {@code open} (anyone); null keeps the current one
   * @param allowFrom the channel's numeric user ids that may write to the agent; null keeps the current ones
   */
  record Connection(String botToken, String appToken, String dmPolicy, List<String> allowFrom) {
    @Override
    public String toString() {
      return "Connection[dmPolicy=" + dmPolicy + ", allowFrom=" + allowFrom + "]";
    }
  }

  /**
   * One channel of an agent as the tenant sees it (never its credentials).
   *
   * @param status {@code disconnected}, {@code connected} (credentials checked with the service), or {@code error}
   *     (with {@code statusReason})
   * @param waiting updates Reef holds that the agent has not taken yet
   * @param agentAwake how the channel and the agent's sleep go together: {@code wakes} (a message wakes a sleeping
   *     agent: Telegram, Slack) or {@code kept-awake} (the agent holds the connection itself, so it does not sleep
   *     while the channel is connected: Discord)
   * @param egressHosts what the channel lets the agent reach through the egress proxy while connected
   * @param applies on a change: {@code restart} (the running agent restarted to pick it up), {@code next-start}
   */
  record Channel(String type, String status, String statusReason, String botId, String botName, String dmPolicy,
      List<String> allowFrom, String webhookUrl, Instant lastMessageAt, Instant connectedAt, long waiting,
      String agentAwake, List<String> egressHosts, String applies) {

    public boolean connected() {
      return !"disconnected".equals(status);
    }
  }
}
