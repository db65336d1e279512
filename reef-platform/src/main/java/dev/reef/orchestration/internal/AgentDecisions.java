package dev.reef.orchestration.internal;

import dev.reef.common.TenantStatus;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.Observed;
import java.time.Duration;
import java.time.Instant;

/**
 * What the reconciler should do with one agent, decided from what is known, with no side effect: the one place the
 * agent lifecycle's rules are written, tested on its own ({@code AgentDecisionsTest}). {@link AgentReconciler}
 * gathers the facts, asks, and carries out the answer.
 */
final class AgentDecisions {

  /** How long an agent must run without crashing before its crash count starts again from zero. */
  static final Duration STABLE_AFTER = Duration.ofMinutes(10);

  private AgentDecisions() {}

  /**
   * What is known about an agent when deciding.
   *
   * @param observed what the compute driver says of its process; null when nobody looked (the tick decides whether
   *     to look at all)
   * @param idleStopMinutes the tenant's idle limit; null: never idle-stopped
   * @param callsInFlight LLM calls the agent is waiting on now (waiting on the model is being busy)
   * @param lastCall when its last LLM call ended, if this replica saw one
   * @param chatsInFlight chats this replica is relaying to it now
   * @param quietPeriod how long since its last chat or LLM call before a running agent may be moved to another
   *     runtime version (a chat elsewhere, or between two model calls, is not seen as in flight)
   */
  record Situation(AgentRow row, TenantStatus tenant, Observed observed, Long idleStopMinutes, int callsInFlight,
      Instant lastCall, int chatsInFlight, Duration quietPeriod, Instant now) {

    /** What the tick knows: the row and its tenant's status, nothing looked at. */
    static Situation atTick(AgentRow row, TenantStatus tenant, Instant now) {
      return new Situation(row, tenant, null, null, 0, null, 0, Duration.ZERO, now);
    }
  }

  /** What to do. */
  sealed interface Action {

    /** Start it, or carry on with a start that was interrupted (Reef restarted meanwhile). */
    record Start() implements Action {}

    /** Stop it; {@code idle}: because nobody used it for the tenant's idle limit (it may be woken). */
    record Stop(String reason, boolean idle) implements Action {}

    /** Its tenant is suspended: stop it, and leave it stopped when the tenant is resumed. */
    record Suspend() implements Action {}

    /** It was deleted: stop it if it runs, and remove it once the grace period is over. */
    record CleanUp() implements Action {}

    /** It runs: look at its process, then decide again with what was seen. */
    record Look() implements Action {}

    /** Its process is not running though it should: count a crash, then back off or give up. */
    record Crash(String reason) implements Action {}

    /** It has run long enough without crashing: its crash count starts again. */
    record ForgiveCrashes() implements Action {}

    /**
     * It is not running: it runs {@code version} from its next start. If it should run, it is started on it at once
     * (a crashed one no longer waits for its backoff: the move is what is being tried).
     */
    record SwitchVersion(String version, String note) implements Action {}

    /** It runs and nothing is in flight: restart it on {@code version}, and check it comes back healthy. */
    record Move(String version, String note) implements Action {}

    /** It was asked to move to the version it already runs (a rollback of a move that never happened). */
    record DropMove() implements Action {}

    /** Nothing until {@code until} (a crashed agent backing off). */
    record Wait(Instant until) implements Action {}

    /** Nothing to do. */
    record Nothing() implements Action {}
  }

  static final Action START = new Action.Start();
  static final Action LOOK = new Action.Look();
  static final Action NOTHING = new Action.Nothing();

  static Action decide(Situation s) {
    AgentRow row = s.row();
    if (row.desired() != DesiredState.DELETED && row.moveToVersion() != null
        && row.moveToVersion().equals(row.runtimeVersion())) {
      return new Action.DropMove();
    }
    return switch (row.desired()) {
      case DELETED -> new Action.CleanUp();
      case STOPPED -> !atRest(row.state()) ? new Action.Stop("stopped on request", false)
          : row.moveToVersion() != null ? switchVersion(row) : NOTHING;
      case RUNNING -> s.tenant() == TenantStatus.SUSPENDED ? new Action.Suspend() : keepRunning(s);
    };
  }

  private static Action keepRunning(Situation s) {
    AgentRow row = s.row();
    if (row.moveToVersion() != null && !(row.state() instanceof AgentState.Running)) {
      return switchVersion(row); // a sleeping, crashed or failed agent simply starts on the new version
    }
    return switch (row.state()) {
      case AgentState.Failed failed -> NOTHING; // given up: only a person's start request tries again
      case AgentState.Crashed crashed -> row.nextAttemptAt() == null || !s.now().isBefore(row.nextAttemptAt())
          ? START : new Action.Wait(row.nextAttemptAt());
      case AgentState.Running running -> running(s);
      // pending, stopped, stopping; installing or starting when interrupted: (re)start, or finish what was begun
      default -> START;
    };
  }

  private static Action switchVersion(AgentRow row) {
    return new Action.SwitchVersion(row.moveToVersion(), row.moveNote());
  }

  private static Action running(Situation s) {
    if (s.observed() == null) {
      return LOOK;
    }
    if (!(s.observed() instanceof Observed.Running)) {
      return new Action.Crash(describe(s.observed()));
    }
    AgentRow row = s.row();
    if (s.idleStopMinutes() != null && s.callsInFlight() == 0) {
      Instant last = latest(row.lastActivityAt(), row.startedAt(), s.lastCall());
      if (last != null && last.plus(Duration.ofMinutes(s.idleStopMinutes())).isBefore(s.now())) {
        return new Action.Stop("idle for " + s.idleStopMinutes() + " minutes (no chat or LLM call); the next chat "
            + "wakes it", true);
      }
    }
    if (row.moveToVersion() != null) {
      return quiet(s) ? new Action.Move(row.moveToVersion(), row.moveNote()) : NOTHING; // at its next idle moment
    }
    if (row.crashCount() > 0 && row.startedAt() != null && row.startedAt().plus(STABLE_AFTER).isBefore(s.now())) {
      return new Action.ForgiveCrashes();
    }
    return NOTHING;
  }

  /** Nothing in flight and nothing for the quiet period: a restart now interrupts nobody. */
  private static boolean quiet(Situation s) {
    if (s.callsInFlight() > 0 || s.chatsInFlight() > 0) {
      return false;
    }
    Instant last = latest(s.row().lastActivityAt(), s.lastCall());
    return last == null || !last.plus(s.quietPeriod()).isAfter(s.now());
  }

  /** What a start under way does next, given what its process looks like (see {@link #whileStarting}). */
  sealed interface StartStep {

    /** It answers its readiness path: it is running. */
    record Ready() implements StartStep {}

    /** Not ready yet, still within the start timeout: look again shortly. */
    record Poll() implements StartStep {}

    /** It cannot run at all here (a sandbox that cannot be made): failed, without retrying. */
    record CannotRun(String reason) implements StartStep {}

    /** It ended, or did not become ready in time (then it is stopped first): counted as a crash. */
    record Crash(String reason, boolean stopFirst) implements StartStep {}
  }

  /**
   * One look at an agent being started.
   *
   * @param observed what its driver says of its process
   * @param ready whether it answered its readiness path just now (only asked while it runs)
   * @param startedAt when the start began; {@code startTimeout} after it, an agent not ready is given up on
   */
  static StartStep whileStarting(Observed observed, boolean ready, Instant startedAt, Duration startTimeout,
      Instant now) {
    return switch (observed) {
      case Observed.CannotRun cannot -> new StartStep.CannotRun(cannot.reason());
      case Observed.Running running when ready -> new StartStep.Ready();
      case Observed.Running running -> now.isBefore(startedAt.plus(startTimeout)) ? new StartStep.Poll()
          : new StartStep.Crash("did not become ready within " + startTimeout.toSeconds() + " s", true);
      default -> new StartStep.Crash("ended while starting: " + describe(observed), false);
    };
  }

  /** No model to start the agent with: it fails at once (a retry cannot help until the catalog changes). */
  static java.util.Optional<AgentState> withoutModel(java.util.Optional<String> model) {
    return model.isPresent() ? java.util.Optional.empty() : java.util.Optional.of(new AgentState.Failed(
        "no model to use: the operator has not put any model your plan allows in the catalog"));
  }

  /**
   * After a crash: restart after a backoff that grows with each crash in a row, or give up at {@code maxCrashes}.
   *
   * @return the state to record, and when to try again (null: given up)
   */
  static AfterCrash afterCrash(String reason, int crashesInARow, int maxCrashes, Duration backoff, Instant now) {
    if (crashesInARow >= maxCrashes) {
      return new AfterCrash(new AgentState.Failed(reason + "; gave up after " + crashesInARow + " attempts in a row"),
          null);
    }
    return new AfterCrash(new AgentState.Crashed(reason + "; restarting in " + Math.max(1, backoff.toSeconds())
        + " s"), now.plus(backoff));
  }

  record AfterCrash(AgentState state, Instant nextAttemptAt) {}

  /** Whether an agent in this state needs nothing done to be stopped. */
  static boolean atRest(AgentState state) {
    return state instanceof AgentState.Stopped || state instanceof AgentState.Failed;
  }

  static String describe(Observed observed) {
    return switch (observed) {
      case Observed.Exited exited -> exited.reason();
      case Observed.CannotRun cannot -> cannot.reason();
      case Observed.Missing missing -> "its process is gone";
      case Observed.Running running -> "running";
    };
  }

  private static Instant latest(Instant... instants) {
    Instant max = null;
    for (Instant i : instants) {
      if (i != null && (max == null || i.isAfter(max))) {
        max = i;
      }
    }
    return max;
  }
}
