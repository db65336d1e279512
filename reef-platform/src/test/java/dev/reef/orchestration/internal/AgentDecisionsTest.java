package dev.reef.orchestration.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.internal.AgentDecisions.Action;
import dev.reef.orchestration.internal.AgentDecisions.Situation;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The agent lifecycle's rules, every transition, on an injected time: no database, no process, no clock. */
class AgentDecisionsTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final Observed RUNNING = new Observed.Running(NOW.minusSeconds(600), 200L << 20);

  private static AgentRow row(DesiredState desired, AgentState state) {
    return row(desired, state, 0, null, NOW.minus(Duration.ofMinutes(1)), null);
  }

  private static AgentRow row(DesiredState desired, AgentState state, int crashes, Instant nextAttempt,
      Instant startedAt, Instant lastActivity) {
    return new AgentRow(UUID.randomUUID(), TenantId.random(), "a", "openclaw", "1", "m", desired, state, NOW,
        "{}", null, startedAt, lastActivity, crashes, nextAttempt, desired == DesiredState.DELETED ? NOW : null,
        NOW.minus(Duration.ofDays(1)), null, null);
  }

  /** The same agent, asked to move to {@code version} by {@code note}. */
  private static AgentRow movingTo(AgentRow r, String version) {
    return new AgentRow(r.id(), r.tenantId(), r.name(), r.runtime(), r.runtimeVersion(), r.model(), r.desired(),
        r.state(), r.stateChangedAt(), r.placementJson(), r.gatewayTokenSecret(), r.startedAt(), r.lastActivityAt(),
        r.crashCount(), r.nextAttemptAt(), r.deletedAt(), r.createdAt(), version, "rollout 1a2b3c4d");
  }

  private static final Duration QUIET = Duration.ofSeconds(30);

  private static Action seenWithChats(AgentRow row, int callsInFlight, Instant lastCall, int chatsInFlight) {
    return AgentDecisions.decide(new Situation(row, TenantStatus.ACTIVE, RUNNING, null, callsInFlight, lastCall,
        chatsInFlight, QUIET, NOW));
  }

  private static Action atTick(AgentRow row) {
    return AgentDecisions.decide(Situation.atTick(row, TenantStatus.ACTIVE, NOW));
  }

  private static Action seen(AgentRow row, Observed observed, Long idleMinutes, int inFlight, Instant lastCall) {
    return AgentDecisions.decide(new Situation(row, TenantStatus.ACTIVE, observed, idleMinutes, inFlight, lastCall,
        0, QUIET, NOW));
  }

  @Test
  void desiredRunning_anyStateButRunningFailedOrCrashed_starts_orFinishesAnInterruptedStart() {
    for (AgentState state : new AgentState[] {new AgentState.Pending("new"), new AgentState.Stopped("stopped"),
        new AgentState.Stopping("stopping"), new AgentState.Installing("installing"),
        new AgentState.Starting("launching")}) {
      assertThat(atTick(row(DesiredState.RUNNING, state))).as(state.name()).isInstanceOf(Action.Start.class);
    }
  }

  @Test
  void desiredRunning_failed_staysFailed_untilAPersonStartsIt() {
    assertThat(atTick(row(DesiredState.RUNNING, new AgentState.Failed("gave up")))).isEqualTo(AgentDecisions.NOTHING);
  }

  @Test
  void crashed_waitsOutItsBackoff_thenStarts() {
    Instant later = NOW.plusSeconds(8);
    assertThat(atTick(row(DesiredState.RUNNING, new AgentState.Crashed("exit 1"), 1, later, null, null)))
        .isEqualTo(new Action.Wait(later));
    assertThat(atTick(row(DesiredState.RUNNING, new AgentState.Crashed("exit 1"), 1, NOW, null, null)))
        .isInstanceOf(Action.Start.class);
    assertThat(atTick(row(DesiredState.RUNNING, new AgentState.Crashed("exit 1"), 1, null, null, null)))
        .isInstanceOf(Action.Start.class);
  }

  @Test
  void running_isLookedAt_andACrashIsCountedWhenItsProcessIsGone() {
    AgentRow running = row(DesiredState.RUNNING, new AgentState.Running("ready"));
    assertThat(atTick(running)).isInstanceOf(Action.Look.class);
    assertThat(seen(running, RUNNING, null, 0, null)).isEqualTo(AgentDecisions.NOTHING);
    assertThat(seen(running, new Observed.Exited(1, "exited with code 1"), null, 0, null))
        .isEqualTo(new Action.Crash("exited with code 1"));
    assertThat(seen(running, new Observed.Missing(), null, 0, null))
        .isEqualTo(new Action.Crash("its process is gone"));
  }

  @Test
  void idle_stopsAfterTheTenantsLimit_butNotWithACallInFlight_norWithoutALimit() {
    AgentRow quiet = row(DesiredState.RUNNING, new AgentState.Running("ready"), 0, null, NOW.minusSeconds(3_600),
        NOW.minusSeconds(31 * 60));
    assertThat(seen(quiet, RUNNING, 30L, 0, null)).isEqualTo(new Action.Stop("idle for 30 minutes (no chat or LLM call); the next chat wakes it", true));
    assertThat(seen(quiet, RUNNING, 30L, 1, null)).as("waiting on the model is being busy")
        .isEqualTo(AgentDecisions.NOTHING);
    assertThat(seen(quiet, RUNNING, null, 0, null)).as("no idle limit").isEqualTo(AgentDecisions.NOTHING);
    assertThat(seen(quiet, RUNNING, 30L, 0, NOW.minusSeconds(60))).as("an LLM call a minute ago")
        .isEqualTo(AgentDecisions.NOTHING);
    assertThat(seen(quiet, RUNNING, 60L, 0, null)).as("31 minutes is not 60").isEqualTo(AgentDecisions.NOTHING);
  }

  @Test
  void crashesAreForgiven_afterTenStableMinutes() {
    AgentRow recovered = row(DesiredState.RUNNING, new AgentState.Running("ready"), 3, null,
        NOW.minus(Duration.ofMinutes(11)), NOW);
    assertThat(seen(recovered, RUNNING, null, 0, null)).isInstanceOf(Action.ForgiveCrashes.class);
    AgentRow recent = row(DesiredState.RUNNING, new AgentState.Running("ready"), 3, null,
        NOW.minus(Duration.ofMinutes(9)), NOW);
    assertThat(seen(recent, RUNNING, null, 0, null)).isEqualTo(AgentDecisions.NOTHING);
  }

  @Test
  void desiredStopped_stopsWhateverIsNotAtRest() {
    assertThat(atTick(row(DesiredState.STOPPED, new AgentState.Running("ready"))))
        .isEqualTo(new Action.Stop("stopped on request", false));
    assertThat(atTick(row(DesiredState.STOPPED, new AgentState.Crashed("exit 1"))))
        .isInstanceOf(Action.Stop.class);
    assertThat(atTick(row(DesiredState.STOPPED, new AgentState.Stopped("done")))).isEqualTo(AgentDecisions.NOTHING);
    assertThat(atTick(row(DesiredState.STOPPED, new AgentState.Failed("gave up")))).isEqualTo(AgentDecisions.NOTHING);
  }

  @Test
  void deleted_isCleanedUp_inAnyState() {
    for (AgentState state : new AgentState[] {new AgentState.Running("ready"), new AgentState.Stopped("s"),
        new AgentState.Failed("f")}) {
      assertThat(atTick(row(DesiredState.DELETED, state))).isInstanceOf(Action.CleanUp.class);
    }
  }

  @Test
  void suspendedTenant_itsAgentsAreStoppedByTheLoop_andNothingOfItsIsStarted() {
    for (AgentState state : new AgentState[] {new AgentState.Running("ready"), new AgentState.Pending("new"),
        new AgentState.Crashed("exit 1"), new AgentState.Starting("launching")}) {
      AgentRow row = row(DesiredState.RUNNING, state);
      assertThat(AgentDecisions.decide(Situation.atTick(row, TenantStatus.SUSPENDED, NOW))).as(state.name())
          .isInstanceOf(Action.Suspend.class);
    }
    AgentRow stopped = row(DesiredState.STOPPED, new AgentState.Stopped("the tenant is suspended"));
    assertThat(AgentDecisions.decide(Situation.atTick(stopped, TenantStatus.SUSPENDED, NOW)))
        .isEqualTo(AgentDecisions.NOTHING);
    AgentRow deleted = row(DesiredState.DELETED, new AgentState.Running("ready"));
    assertThat(AgentDecisions.decide(Situation.atTick(deleted, TenantStatus.SUSPENDED, NOW)))
        .as("deleting still cleans up").isInstanceOf(Action.CleanUp.class);
  }

  @Test
  void afterACrash_backsOff_thenGivesUpAtMaxCrashes() {
    AgentDecisions.AfterCrash first = AgentDecisions.afterCrash("exit 1", 1, 5, Duration.ofSeconds(2), NOW);
    assertThat(first.state()).isEqualTo(new AgentState.Crashed("exit 1; restarting in 2 s"));
    assertThat(first.nextAttemptAt()).isEqualTo(NOW.plusSeconds(2));
    AgentDecisions.AfterCrash subSecond = AgentDecisions.afterCrash("exit 1", 1, 5, Duration.ofMillis(300), NOW);
    assertThat(subSecond.state().reason()).endsWith("restarting in 1 s");
    AgentDecisions.AfterCrash last = AgentDecisions.afterCrash("exit 1", 5, 5, Duration.ofSeconds(60), NOW);
    assertThat(last.state()).isEqualTo(new AgentState.Failed("exit 1; gave up after 5 attempts in a row"));
    assertThat(last.nextAttemptAt()).isNull();
  }

  @Test
  void moveOfARunningAgent_waitsForItsNextIdleMoment() {
    AgentRow quiet = movingTo(row(DesiredState.RUNNING, new AgentState.Running("ready"), 0, null,
        NOW.minusSeconds(3_600), NOW.minusSeconds(31)), "2");
    assertThat(atTick(quiet)).as("looked at first").isInstanceOf(Action.Look.class);
    assertThat(seenWithChats(quiet, 0, null, 0)).isEqualTo(new Action.Move("2", "rollout 1a2b3c4d"));
    assertThat(seenWithChats(quiet, 1, null, 0)).as("waiting on the model").isEqualTo(AgentDecisions.NOTHING);
    assertThat(seenWithChats(quiet, 0, null, 1)).as("a chat in flight, between model calls")
        .isEqualTo(AgentDecisions.NOTHING);
    assertThat(seenWithChats(quiet, 0, NOW.minusSeconds(10), 0)).as("a model call ended 10 s ago")
        .isEqualTo(AgentDecisions.NOTHING);
    AgentRow chatted = movingTo(row(DesiredState.RUNNING, new AgentState.Running("ready"), 0, null,
        NOW.minusSeconds(3_600), NOW.minusSeconds(5)), "2");
    assertThat(seenWithChats(chatted, 0, null, 0)).as("a chat 5 s ago (perhaps on another replica)")
        .isEqualTo(AgentDecisions.NOTHING);
  }

  @Test
  void moveOfAnAgentThatIsNotRunning_switchesItsVersionAtOnce() {
    for (AgentRow asleep : new AgentRow[] {row(DesiredState.STOPPED, new AgentState.Stopped("quiet", true)),
        row(DesiredState.RUNNING, new AgentState.Crashed("exit 1"), 2, NOW.plusSeconds(60), null, null),
        row(DesiredState.RUNNING, new AgentState.Pending("new")),
        row(DesiredState.RUNNING, new AgentState.Failed("gave up")),
        row(DesiredState.STOPPED, new AgentState.Failed("gave up"))}) {
      assertThat(atTick(movingTo(asleep, "2"))).as(asleep.state().name() + " / " + asleep.desired())
          .isEqualTo(new Action.SwitchVersion("2", "rollout 1a2b3c4d"));
    }
  }

  @Test
  void moveToTheVersionItRuns_isDropped_andDeletedOrSuspendedComeFirst() {
    AgentRow running = row(DesiredState.RUNNING, new AgentState.Running("ready"));
    assertThat(atTick(movingTo(running, "1"))).isInstanceOf(Action.DropMove.class);
    assertThat(atTick(movingTo(row(DesiredState.DELETED, new AgentState.Running("ready")), "2")))
        .isInstanceOf(Action.CleanUp.class);
    assertThat(AgentDecisions.decide(Situation.atTick(movingTo(running, "2"), TenantStatus.SUSPENDED, NOW)))
        .isInstanceOf(Action.Suspend.class);
    AgentRow stopping = row(DesiredState.STOPPED, new AgentState.Running("ready"));
    assertThat(atTick(movingTo(stopping, "2"))).as("a stop asked for goes first")
        .isEqualTo(new Action.Stop("stopped on request", false));
  }

  @Test
  void idleStop_goesBeforeAMove() {
    AgentRow idle = movingTo(row(DesiredState.RUNNING, new AgentState.Running("ready"), 0, null,
        NOW.minusSeconds(3_600), NOW.minusSeconds(31 * 60)), "2");
    assertThat(seen(idle, RUNNING, 30L, 0, null)).isInstanceOf(Action.Stop.class);
  }

  @Test
  void aStart_pollsUntilReady_givesUpAtTheStartTimeout_andTellsAnEndFromAnImpossibleStart() {
    Instant began = NOW.minusSeconds(30);
    Duration timeout = Duration.ofSeconds(120);
    assertThat(AgentDecisions.whileStarting(RUNNING, true, began, timeout, NOW))
        .isInstanceOf(AgentDecisions.StartStep.Ready.class);
    assertThat(AgentDecisions.whileStarting(RUNNING, false, began, timeout, NOW))
        .isInstanceOf(AgentDecisions.StartStep.Poll.class);
    assertThat(AgentDecisions.whileStarting(RUNNING, false, began, timeout, began.plus(timeout)))
        .as("not ready at the timeout: stopped, then counted as a crash")
        .isEqualTo(new AgentDecisions.StartStep.Crash("did not become ready within 120 s", true));
    assertThat(AgentDecisions.whileStarting(new Observed.Exited(1, "exited with code 1"), false, began, timeout, NOW))
        .isEqualTo(new AgentDecisions.StartStep.Crash("ended while starting: exited with code 1", false));
    assertThat(AgentDecisions.whileStarting(new Observed.CannotRun("no sandbox here"), false, began, timeout, NOW))
        .isEqualTo(new AgentDecisions.StartStep.CannotRun("no sandbox here"));
  }

  @Test
  void noModel_failsTheStartAtOnce() {
    assertThat(AgentDecisions.withoutModel(java.util.Optional.of("gpt"))).isEmpty();
    assertThat(AgentDecisions.withoutModel(java.util.Optional.empty())).get()
        .isInstanceOf(AgentState.Failed.class)
        .extracting(AgentState::reason).asString().contains("no model to use");
  }

  @Test
  void givesUp_afterMaxCrashesInARow_andOnlyAPersonsStartTriesAgain() {
    AgentDecisions.AfterCrash fourth = AgentDecisions.afterCrash("exit 1", 4, 5, Duration.ofSeconds(8), NOW);
    assertThat(fourth.state()).isInstanceOf(AgentState.Crashed.class);
    AgentDecisions.AfterCrash fifth = AgentDecisions.afterCrash("exit 1", 5, 5, Duration.ofSeconds(16), NOW);
    assertThat(fifth.state()).isInstanceOf(AgentState.Failed.class);
    assertThat(atTick(row(DesiredState.RUNNING, fifth.state(), 5, null, null, null)))
        .isEqualTo(AgentDecisions.NOTHING);
  }
}
