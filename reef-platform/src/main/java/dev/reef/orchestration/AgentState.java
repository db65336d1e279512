package dev.reef.orchestration;

/**
 * Where an agent is in its life, always with a reason a person can read ("installing openclaw 2026.9.6",
 * "stopped after 30 idle minutes", "exited with code 1; restarting in 8 s").
 */
public sealed interface AgentState {

  String reason();

  /** The state's name in the API: {@code pending}, {@code installing}, ... */
  default String name() {
    return getClass().getSimpleName().toLowerCase();
  }

  record Pending(String reason) implements AgentState {}

  record Installing(String reason) implements AgentState {}

  record Starting(String reason) implements AgentState {}

  record Running(String reason) implements AgentState {}

  record Stopping(String reason) implements AgentState {}

  /**
   * Not running, and not asked to run. {@code idle}: stopped by the idle timer rather than by a person or the
   * platform; the next chat wakes it.
   */
  record Stopped(String reason, boolean idle) implements AgentState {

    public Stopped(String reason) {
      this(reason, false);
    }

    @Override
    public String stored() {
      return idle ? "idle" : "stopped";
    }
  }

  /** It ended without being asked to; the reconciler restarts it after a backoff. */
  record Crashed(String reason) implements AgentState {}

  /** Given up: it crashed too often or cannot be installed; only a start request tries again. */
  record Failed(String reason) implements AgentState {}

  /**
   * The name the database stores: the API's name, except that an idle stop is stored as {@code idle} (the API says
   * {@code stopped} and {@code idle: true}).
   */
  default String stored() {
    return name();
  }

  /** From what the database stores ({@link #stored}). */
  static AgentState of(String name, String reason) {
    return switch (name) {
      case "idle" -> new Stopped(reason, true);
      case "pending" -> new Pending(reason);
      case "installing" -> new Installing(reason);
      case "starting" -> new Starting(reason);
      case "running" -> new Running(reason);
      case "stopping" -> new Stopping(reason);
      case "stopped" -> new Stopped(reason);
      case "crashed" -> new Crashed(reason);
      case "failed" -> new Failed(reason);
      default -> throw new IllegalArgumentException("no agent state '" + name + "'");
    };
  }
}
