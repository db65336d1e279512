package dev.reef.gateway;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * What the proxy knows about each agent's LLM calls: an agent waiting on the model is busy, not idle, however long
 * the model takes. Orchestration reads this before stopping an agent for idleness.
 */
public interface LlmActivity {

  /** Calls of this agent in flight on this replica right now. */
  int inFlight(UUID agentId);

  /** When this agent's last call through this replica started or ended, if any. */
  Optional<Instant> lastCall(UUID agentId);
}
