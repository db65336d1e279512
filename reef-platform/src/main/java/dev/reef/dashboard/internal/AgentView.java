package dev.reef.dashboard.internal;

import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * An agent as its card and page show it: a label and tone for its state, and where a deploy has got to.
 *
 * @param step how far a deploy has got: 0 queued, 1 installing, 2 starting, 3 ready; -1 when not deploying
 * @param tone {@code ok}, {@code busy}, {@code idle} or {@code bad}, for the badge's colour
 */
public record AgentView(String id, String tenantId, String name, String runtime, String model, String state, String label, String reason,
    String tone, int step, boolean idle, boolean wanted, String memory, String started, String lastActivity,
    String nextRun) {

  static final List<String> STEPS = List.of("Queued", "Installing", "Starting", "Ready");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);

  static AgentView of(Agent a, Instant now) {
    String state = a.state().name();
    boolean wanted = a.desired() == dev.reef.orchestration.DesiredState.RUNNING;
    int step = switch (a.state()) {
      case AgentState.Pending p -> 0;
      case AgentState.Installing i -> 1;
      case AgentState.Starting s -> 2;
      case AgentState.Running r -> 3;
      default -> -1;
    };
    String label = switch (a.state()) {
      case AgentState.Pending p -> "Queued";
      case AgentState.Installing i -> "Installing";
      case AgentState.Starting s -> "Starting";
      case AgentState.Running r -> "Running";
      case AgentState.Stopping s -> "Stopping";
      case AgentState.Stopped s -> a.idle() ? "Sleeping" : "Stopped";
      case AgentState.Crashed c -> "Crashed";
      case AgentState.Failed f -> "Failed";
    };
    String tone = switch (a.state()) {
      case AgentState.Running r -> "ok";
      case AgentState.Stopped s -> "idle";
      case AgentState.Crashed c -> "bad";
      case AgentState.Failed f -> "bad";
      default -> "busy";
    };
    return new AgentView(a.id().toString(), a.tenantId().toString(), a.name(), a.runtime() + " " + a.runtimeVersion(),
        a.model() != null ? a.model() : a.effectiveModel() == null ? "none: your plan allows no model"
            : a.effectiveModel() + " (your plan's default)", state, label, a.state().reason(), tone, step, a.idle(),
        wanted,
        a.memoryBytes() == null ? null : (a.memoryBytes() / (1024 * 1024)) + " MB",
        a.startedAt() == null ? null : TIME.format(a.startedAt()),
        a.lastActivityAt() == null ? null : ago(Duration.between(a.lastActivityAt(), now)),
        a.nextRunAt() == null ? null : (a.nextRunAt().atZone(ZoneOffset.UTC).toLocalDate()
            .equals(now.atZone(ZoneOffset.UTC).toLocalDate()) ? HH_MM : TIME).format(a.nextRunAt()));
  }

  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** A deploy (or start) under way: the progress steps are shown. */
  public boolean deploying() {
    return wanted && step >= 0 && step < 3;
  }

  public List<String> steps() {
    return STEPS;
  }

  /** Changes whenever what the live status shows changes. */
  public String version() {
    return Integer.toHexString(java.util.Objects.hash(state, wanted, idle, reason, nextRun));
  }

  public boolean running() {
    return "running".equals(state);
  }

  static String time(Instant at) {
    return at == null ? "" : TIME.format(at);
  }

  static String ago(Duration d) {
    long seconds = Math.max(0, d.toSeconds());
    if (seconds < 60) {
      return "just now";
    }
    if (seconds < 3600) {
      return (seconds / 60) + " min ago";
    }
    if (seconds < 86_400) {
      return (seconds / 3600) + " h ago";
    }
    return (seconds / 86_400) + " d ago";
  }
}
