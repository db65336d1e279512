package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.TenantId;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.MockUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ComputeDriver} must do with the placements it makes: create, start, observe, stop, destroy,
 * idempotence, finding an agent again from its placement alone, reporting how it ended. Nothing here needs the
 * agent to run for real: a driver over a simulated platform (the kubernetes driver over a mock API server, whose
 * "pods" a test simulates) runs it as well as one over real processes. What needs a real agent (answering HTTP,
 * its environment, its processes) is in {@link RunningAgentContract}.
 *
 * <p>Drivers under test must give {@link #proxy}'s {@link MockUpstream#openAiBaseUrl()} as the placement's
 * {@code proxyBaseUrl}, unless their platform fixes it (then {@link #assertProxyBaseUrl} says what it is).
 */
public abstract class ComputeDriverContract {

  protected static final Duration GRACE = Duration.ofSeconds(10);
  protected static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  protected static final int PORT = 18799;
  protected static final String GATEWAY_TOKEN = "gateway-token-for-tests";
  protected static final String AGENT_TOKEN = "agent-token-for-tests";

  protected final MockUpstream proxy = new MockUpstream();
  protected final FakeRuntime runtime = new FakeRuntime();
  protected final TenantId tenant = TenantId.random();
  private final List<Placement> made = new ArrayList<>();
  private ComputeDriver driver;

  /**
   * A new driver instance over the same machine or cluster as every other one this test makes, as Reef has after a
   * restart; it must find what others started from their placements alone.
   */
  protected abstract ComputeDriver newDriver();

  /** Waits until the agent started on {@code p} is up (it answers, or its platform says it runs). */
  protected abstract void awaitUp(Placement p);

  /** Asserts that nothing of the agent serves any more (after a stop or a destroy). */
  protected abstract void assertDown(Placement p);

  /** Starts an agent on {@code p} that writes {@code line} to its output and ends by itself with {@code exitCode}. */
  protected abstract Placement startEnding(Placement p, int exitCode, String line);

  /** Kills the agent's main process the way the system would (SIGKILL, the OOM killer). */
  protected abstract void killAgentProcess(Placement running);

  /**
   * A copy of {@code placement} whose record of the agent names something that is not the agent (a reused process
   * id; another tenant's objects); that unrelated thing lives until the test ends. {@link #unrelatedAlive} tells
   * whether it still does.
   */
  protected abstract Placement pointingAtUnrelated(Placement placement);

  protected abstract boolean unrelatedAlive();

  /** Asserts that the agent's files can be read by nobody else. */
  protected abstract void assertPrivate(Placement placement);

  /** Whether anything {@code create} or {@code start} made for the agent is left. */
  protected abstract boolean anythingLeft(Placement placement);

  protected ComputeDriver driver() {
    if (driver == null) {
      driver = newDriver();
    }
    return driver;
  }

  @AfterEach
  void destroyAgents() {
    ComputeDriver cleaner = newDriver();
    for (Placement p : made) {
      cleaner.destroy(p);
    }
    proxy.close();
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  /** Destroys {@code placement} after the test, with the others this test made. */
  protected void trackForCleanup(Placement placement) {
    made.add(placement);
  }

  protected Placement create() {
    return create(512);
  }

  protected Placement create(long memoryMb) {
    UUID agentId = UUID.randomUUID();
    Placement p = driver().create(spec(agentId, memoryMb));
    made.add(p);
    return p;
  }

  protected AgentSpec spec(UUID agentId, long memoryMb) {
    return new AgentSpec(tenant, agentId, "agent-" + agentId.toString().substring(0, 8), FakeRuntime.NAME,
        FakeRuntime.VERSION, memoryMb, 1000, PORT);
  }

  protected Launch fakeAgent(Placement p) {
    Installation installation = runtime.install(FakeRuntime.VERSION, line -> {});
    return runtime.launch(installation, new RuntimeContext(p, AGENT_TOKEN, GATEWAY_TOKEN, "mock-model", 512));
  }

  protected Placement startFakeAgent(Placement created) {
    Placement started = driver().start(created, fakeAgent(created));
    awaitUp(started);
    return started;
  }

  protected void assertProxyBaseUrl(Placement p) {
    assertThat(p.proxyBaseUrl()).isEqualTo(proxy.openAiBaseUrl());
  }

  protected void awaitObserved(ComputeDriver d, Placement p, Class<? extends Observed> kind) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(d.observe(p)).isInstanceOf(kind));
  }

  protected static boolean running(Observed observed) {
    return observed instanceof Observed.Running;
  }

  // --- the contract ------------------------------------------------------------------------------------------------

  @Test
  void lifecycle_createStartObserveStopStartDestroy() {
    Placement p = create();
    assertThat(p.driver()).isEqualTo(driver().name());
    assertThat(p.tenantId()).isEqualTo(tenant);
    assertProxyBaseUrl(p);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Missing.class);

    Placement started = startFakeAgent(p);
    Observed observed = driver().observe(started);
    assertThat(observed).isInstanceOf(Observed.Running.class);
    Observed.Running running = (Observed.Running) observed;
    assertThat(running.startedAt()).isNotNull();
    assertThat(running.memoryBytes()).satisfiesAnyOf(m -> assertThat(m).isPositive(), m -> assertThat(m).isEqualTo(-1));

    p = driver().stop(started, GRACE);
    assertThat(running(driver().observe(p))).isFalse();
    assertDown(p);

    p = startFakeAgent(p);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Running.class);

    driver().destroy(p);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Missing.class);
    assertDown(p);
    assertThat(anythingLeft(p)).isFalse();
  }

  @Test
  void stopAndDestroy_areIdempotent() {
    Placement p = create();
    Placement again = driver().create(new AgentSpec(p.tenantId(), p.agentId(), "same", FakeRuntime.NAME,
        FakeRuntime.VERSION, 512, 1000, PORT));
    assertThat(again.address()).isEqualTo(p.address());
    assertThat(again.paths()).isEqualTo(p.paths());

    p = driver().stop(p, GRACE); // never started
    p = startFakeAgent(p);
    assertThat(driver().start(p, fakeAgent(p))).as("start while running changes nothing").isEqualTo(p);
    Placement stopped = driver().stop(p, GRACE);
    assertThat(driver().stop(stopped, GRACE).attributes()).isEqualTo(stopped.attributes());
    assertThat(running(driver().observe(driver().stop(p, GRACE)))).isFalse(); // the old placement, once more

    driver().destroy(stopped);
    driver().destroy(stopped);
    driver().destroy(p);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Missing.class);
  }

  @Test
  void placementFromCreate_stillFindsTheRunningAgent_soDestroyLeavesNothing() {
    Placement created = create();
    Placement started = startFakeAgent(created);

    assertThat(driver().observe(created)).isInstanceOf(Observed.Running.class);
    assertThat(newDriver().start(created, fakeAgent(created))).isEqualTo(started);
    newDriver().destroy(created);

    assertDown(started);
    assertThat(driver().observe(started)).isInstanceOf(Observed.Missing.class);
    assertThat(anythingLeft(started)).isFalse();
  }

  @Test
  void observe_agentEndingByItself_isExitedWithItsCode() {
    Placement p = startEnding(create(), 3, "about to fail");

    awaitObserved(driver(), p, Observed.Exited.class);
    assertThat(driver().observe(p)).isEqualTo(new Observed.Exited(3, "exited with code 3"));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(driver().logs(p).tail(10)).contains("about to fail"));
  }

  @Test
  void observe_agentKilledBySignal9_isExitedSayingSo() {
    Placement p = startFakeAgent(create());

    killAgentProcess(p);

    awaitObserved(driver(), p, Observed.Exited.class);
    Observed.Exited exited = (Observed.Exited) driver().observe(p);
    assertThat(exited.exitCode()).isEqualTo(128 + 9);
    assertThat(exited.reason()).startsWith("killed by signal 9 (SIGKILL)");
    assertDown(p);
  }

  @Test
  void freshDriver_readoptsARunningAgentFromItsPlacementAlone_andStopsIt() {
    Placement p = startFakeAgent(create());

    ComputeDriver restarted = newDriver();
    assertThat(restarted.observe(p)).isInstanceOf(Observed.Running.class);
    assertThat(((Observed.Running) restarted.observe(p)).startedAt())
        .isEqualTo(((Observed.Running) driver().observe(p)).startedAt());
    Placement stopped = restarted.stop(p, GRACE);

    awaitObserved(driver(), p, Observed.Missing.class);
    assertThat(running(restarted.observe(stopped))).isFalse();
    assertDown(p);
  }

  @Test
  void placementNamingSomethingUnrelated_isNotAdopted_andThatIsLeftAlone() {
    Placement p = driver().stop(startFakeAgent(create()), GRACE);

    Placement impostor = pointingAtUnrelated(p);

    assertThat(running(driver().observe(impostor))).isFalse();
    assertThat(running(newDriver().observe(impostor))).isFalse();
    driver().stop(impostor, Duration.ofMillis(200));
    assertThat(unrelatedAlive()).isTrue();
    driver().destroy(impostor);
    assertThat(unrelatedAlive()).isTrue();
  }

  @Test
  void files_arePrivateToTheAgent() {
    Placement p = startFakeAgent(create());

    assertPrivate(p);
  }

  @Test
  void twoAgents_getDifferentAddresses_onTheSamePort_andStoppingOneLeavesTheOther() {
    Placement a = create();
    Placement b = create();
    assertThat(a.address()).isNotEqualTo(b.address());
    assertThat(a.listenPort()).isEqualTo(b.listenPort());

    a = startFakeAgent(a);
    b = startFakeAgent(b);

    driver().stop(a, GRACE);
    assertDown(a);
    assertThat(driver().observe(b)).isInstanceOf(Observed.Running.class);
  }
}
