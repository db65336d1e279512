package dev.reef.orchestration;


/**
 * Everything a runtime needs to configure one agent for one start.
 *
 * @param agentToken the agent's credential for Reef's LLM proxy, fresh for this start and revoked at stop
 * @param gatewayToken the secret Reef uses to talk to the agent (the agent's own API)
 * @param model the model the agent uses, from Reef's catalog
 * @param memoryMb the agent's memory limit, for runtimes that can size themselves (e.g. a JS heap)
 * @param config what the tenant shaped (persona, tools, heartbeat); {@code model} is already the effective model
 * @param channels the chat channels it connects (Telegram, ...)
 */
public record RuntimeContext(Placement placement, String agentToken, String gatewayToken, String model,
    long memoryMb, AgentConfig config, java.util.List<AgentChannel> channels) {

  public RuntimeContext {
    config = config == null ? AgentConfig.DEFAULTS : config;
    channels = channels == null ? java.util.List.of() : java.util.List.copyOf(channels);
  }

  /** With no channels. */
  public RuntimeContext(Placement placement, String agentToken, String gatewayToken, String model, long memoryMb,
      AgentConfig config) {
    this(placement, agentToken, gatewayToken, model, memoryMb, config, java.util.List.of());
  }

  /** With Reef's default configuration. */
  public RuntimeContext(Placement placement, String agentToken, String gatewayToken, String model, long memoryMb) {
    this(placement, agentToken, gatewayToken, model, memoryMb, AgentConfig.DEFAULTS);
  }

  /**
   * The egress proxy's URL as this agent must use it: with its agent token as the password where its placement
   * asks for one ({@link Placement#EGRESS_AUTH}); null when the agent has no egress proxy. It holds a secret then:
   * it goes in the agent's environment only.
   */
  public String egressProxyUrl() {
    String url = placement.egressProxyUrl();
    if (url == null || !Placement.EGRESS_AUTH_AGENT_TOKEN.equals(placement.attributes().get(Placement.EGRESS_AUTH))) {
      return url;
    }
    java.net.URI uri = java.net.URI.create(url);
    return uri.getScheme() + "://agent:" + agentToken + "@" + uri.getRawAuthority() + (uri.getRawPath() == null
        ? "" : uri.getRawPath());
  }

  /** Whether the egress proxy's URL carries the agent's token (so it may go in no file that outlives a start). */
  public boolean egressProxyUrlHasToken() {
    return placement.egressProxyUrl() != null
        && Placement.EGRESS_AUTH_AGENT_TOKEN.equals(placement.attributes().get(Placement.EGRESS_AUTH));
  }

  @Override
  public String toString() {
    return "RuntimeContext[agent=" + placement.agentId() + ", model=" + model + "]";
  }
}
