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

  /**
   * The calls of this agent through this replica that failed since {@code since} and after its last successful one,
   * oldest first (a chat shows its person why the agent cannot answer, without waiting out the agent's retries).
   */
  java.util.List<Failure> failuresSince(UUID agentId, Instant since);

  /**
   * One failed call, as the proxy answered it.
   *
   * @param code the proxy's error code ({@code upstream_error}, {@code upstream_timeout}, {@code budget_exceeded}, …)
   * @param byok whether the call was made with the tenant's own provider key
   */
  record Failure(Instant at, int status, String code, String message, boolean byok) {}
}
