package dev.reef.orchestration;


/**
 * Everything a runtime needs to configure one agent for one start.
 *
 * @param agentToken the agent's credential for Reef's LLM proxy, fresh for this start and revoked at stop
 * @param gatewayToken the secret Reef uses to talk to the agent (the agent's own API)
 * @param model the model the agent uses, from Reef's catalog
 * @param memoryMb the agent's memory limit, for runtimes that can size themselves (e.g. a JS heap)
 */
public record RuntimeContext(Placement placement, String agentToken, String gatewayToken, String model,
    long memoryMb) {

  @Override
  public String toString() {
    return "RuntimeContext[agent=" + placement.agentId() + ", model=" + model + "]";
  }
}
