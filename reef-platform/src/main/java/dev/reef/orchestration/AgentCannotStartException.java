package dev.reef.orchestration;

/**
 * An agent cannot be started here until an operator changes something (the machine lacks what the sandbox needs,
 * say): retrying on its own would fail the same way, so the agent is marked failed at once with this message.
 */
public final class AgentCannotStartException extends RuntimeException {

  public AgentCannotStartException(String message) {
    super(message);
  }
}
