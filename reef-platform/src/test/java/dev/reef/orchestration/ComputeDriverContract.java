package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.TenantId;
import dev.reef.testing.Api;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.MockUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What every {@link ComputeDriver} must do, run against each driver by a subclass with real agents: the
 * {@link FakeRuntime}'s {@code FakeAgent}, and plain shell commands. A driver whose platform cannot express a check
 * (a Kubernetes pod has no process ids to reuse) overrides that test without {@code @Test}.
 *
 * <p>Agents reach {@link #proxy}, a mock LLM provider standing in for Reef's proxy: drivers under test must give
 * {@link #proxy}'s {@link MockUpstream#openAiBaseUrl()} as the placement's {@code proxyBaseUrl}.
 */
public abstract class ComputeDriverContract {

  protected static final Duration GRACE = Duration.ofSeconds(10);
  protected static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  protected static final int PORT = 18799;

  protected final MockUpstream proxy = new MockUpstream();
  protected final FakeRuntime runtime = new FakeRuntime();
  private final TenantId tenant = TenantId.random();
  private final List<Placement> made = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ComputeDriver driver;

  /**
   * A new driver instance over the same machine or cluster as every other one this test makes, as Reef has after a
   * restart; it must find what others started from their placements alone.
   */
  protected abstract ComputeDriver newDriver();

  /** Kills the agent's main process the way the system would (SIGKILL, the OOM killer). */
  protected abstract void killAgentProcess(Placement running);

  /**
   * A copy of {@code placement} whose record of the agent names something that is not the agent, as after a reuse
   * of its process id; that unrelated thing runs until the test ends. {@link #unrelatedAlive} tells whether it
   * still does.
   */
  protected abstract Placement pointingAtUnrelated(Placement placement);

  protected abstract boolean unrelatedAlive();

  /** Identifiers of the agent's processes now, its children included. */
  protected abstract Set<Long> agentProcesses(Placement running);

  /** Which of these processes still run. */
  protected abstract Set<Long> alive(Set<Long> processes);

  /** Asserts that the agent's files can be read by nobody else. */
  protected abstract void assertPrivate(Placement placement);

  /** Whether anything {@code create} or {@code start} made for the agent is left. */
  protected abstract boolean anythingLeft(Placement placement);

  /** Variables the driver itself adds to an agent's environment. */
  protected Set<String> driverVariables() {
    return Set.of("HOME", "TMPDIR", "PATH");
  }

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

  protected Placement create() {
    return create(512);
  }

  protected Placement create(long memoryMb) {
    UUID agentId = UUID.randomUUID();
    Placement p = driver().create(new AgentSpec(tenant, agentId, "agent-" + agentId.toString().substring(0, 8),
        FakeRuntime.NAME, memoryMb, 1000, PORT));
    made.add(p);
    return p;
  }

  protected static final String GATEWAY_TOKEN = "gateway-token-for-tests";
  protected static final String AGENT_TOKEN = "agent-token-for-tests";

  protected Launch fakeAgent(Placement p) {
    Installation installation = runtime.install(FakeRuntime.VERSION, line -> {});
    return runtime.launch(installation, new RuntimeContext(p, AGENT_TOKEN, GATEWAY_TOKEN, "mock-model", 512));
  }

  protected static Launch shell(String script) {
    return new Launch(List.of("sh", "-c", script), Map.of(), Map.of());
  }

  protected Placement startFakeAgent(Placement created) {
    Placement started = driver().start(created, fakeAgent(created));
    awaitReady(started);
    return started;
  }

  protected void awaitReady(Placement p) {
    await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(() -> get(p, "/readyz", null).status() == 200);
  }

  protected record Answer(int status, String body) {}

  /** A GET to the agent at its address; status -1 when nothing answers. */
  protected Answer get(Placement p, String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(p.address() + path))
        .timeout(Duration.ofSeconds(5));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "interrupted");
    }
  }

  protected Answer chat(Placement p, String token, boolean stream) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(p.address() + runtime.chatPath()))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + runtime.chatModel()
            + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  private void awaitObserved(ComputeDriver d, Placement p, Class<? extends Observed> kind) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(d.observe(p)).isInstanceOf(kind));
  }

  private static boolean running(Observed observed) {
    return observed instanceof Observed.Running;
  }

  // --- the contract ------------------------------------------------------------------------------------------------

  @Test
  void lifecycle_createStartObserveLogsStopStartDestroy() throws Exception {
    Placement p = create();
    assertThat(driver().observe(p)).isInstanceOf(Observed.Missing.class);

    Placement started = startFakeAgent(p);
    assertThat(get(started, "/readyz", null).body()).contains("\"ready\":true");
    Observed observed = driver().observe(started);
    assertThat(observed).isInstanceOf(Observed.Running.class);
    Observed.Running running = (Observed.Running) observed;
    assertThat(running.startedAt()).isNotNull();
    assertThat(running.memoryBytes()).satisfiesAnyOf(m -> assertThat(m).isPositive(), m -> assertThat(m).isEqualTo(-1));
    LogStream logs = driver().logs(started);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(String.join("\n", logs.tail(100)))
        .contains("fake-agent: listening on " + started.listenHost() + ":" + started.listenPort())
        .contains("GET /readyz 200"));

    p = driver().stop(started, GRACE);
    assertThat(running(driver().observe(p))).isFalse();
    assertThat(get(p, "/readyz", null).status()).isEqualTo(-1);

    p = startFakeAgent(p);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Running.class);
    assertThat(driver().logs(p).tail(1000)).filteredOn(l -> l.contains("fake-agent: listening")).hasSize(2);

    driver().destroy(p);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Missing.class);
    assertThat(get(p, "/readyz", null).status()).isEqualTo(-1);
    assertThat(anythingLeft(p)).isFalse();
  }

  @Test
  void agent_reachesTheProxyWithItsAgentToken_andServesChatOnlyWithTheGatewayToken() throws Exception {
    Placement p = startFakeAgent(create());

    assertThat(chat(p, null, false).status()).isEqualTo(401);
    assertThat(chat(p, "wrong", false).status()).isEqualTo(401);
    Answer plain = chat(p, GATEWAY_TOKEN, false);
    assertThat(plain.status()).as(plain.body()).isEqualTo(200);
    assertThat(plain.body()).contains("Hello from the mock provider");
    Answer streamed = chat(p, GATEWAY_TOKEN, true);
    assertThat(streamed.body()).contains("data: ").contains("[DONE]");
    assertThat(proxy.lastRequest().header("authorization")).isEqualTo("Bearer " + AGENT_TOKEN);
    assertThat(proxy.lastRequest().body().path("model").asString()).isEqualTo("mock-model");
  }

  @Test
  void stopAndDestroy_areIdempotent() {
    Placement p = create();
    Placement again = driver().create(new AgentSpec(p.tenantId(), p.agentId(), "same", FakeRuntime.NAME, 512, 1000,
        PORT));
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

    assertThat(get(started, "/readyz", null).status()).isEqualTo(-1);
    assertThat(driver().observe(started)).isInstanceOf(Observed.Missing.class);
    assertThat(anythingLeft(started)).isFalse();
  }

  @Test
  void observe_agentEndingByItself_isExitedWithItsCode() {
    Placement p = driver().start(create(), shell("echo about to fail; exit 3"));

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
    assertThat(get(p, "/readyz", null).status()).isEqualTo(-1);
  }

  @Test
  void freshDriver_readoptsARunningAgentFromItsPlacementAlone_andStopsIt() {
    Placement p = startFakeAgent(create());

    ComputeDriver restarted = newDriver();
    assertThat(restarted.observe(p)).isInstanceOf(Observed.Running.class);
    assertThat(((Observed.Running) restarted.observe(p)).startedAt())
        .isEqualTo(((Observed.Running) driver().observe(p)).startedAt());
    Placement stopped = restarted.stop(p, GRACE);

    assertThat(running(driver().observe(p))).isFalse();
    assertThat(running(restarted.observe(stopped))).isFalse();
    assertThat(get(p, "/readyz", null).status()).isEqualTo(-1);
  }

  @Test
  void placementNamingAnUnrelatedProcess_isNotAdopted_andThatProcessIsLeftAlone() {
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
  void environment_isTheLaunchsOnly_withNothingOfTheParents() {
    Placement p = create();
    Launch launch = fakeAgent(p);
    p = driver().start(p, launch);
    awaitReady(p);

    Answer answer = get(p, "/debug/env", GATEWAY_TOKEN);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode env = Api.JSON.readTree(answer.body());
    Set<String> names = new HashSet<>(env.propertyNames());
    Set<String> expected = new HashSet<>(launch.environment().keySet());
    expected.addAll(driverVariables());
    assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(env.path("HOME").asString()).isEqualTo(p.path("home"));
    assertThat(env.path("TMPDIR").asString()).isEqualTo(p.path("tmp"));
    // the canary is in this JVM's environment (failsafe sets it), as REEF_* secrets would be in Reef's
    for (String parentVariable : System.getenv().keySet()) {
      if (!expected.contains(parentVariable)) {
        assertThat(names).as("the agent inherited " + parentVariable).doesNotContain(parentVariable);
      }
    }
    assertThat(answer.body()).doesNotContain("reef-test-canary");
  }

  @Test
  void files_arePrivateToTheAgent() {
    Placement p = startFakeAgent(create());

    assertPrivate(p);
  }

  @Test
  void twoAgents_getDifferentAddresses_andRunSideBySideOnTheSamePort() {
    Placement a = create();
    Placement b = create();
    assertThat(a.address()).isNotEqualTo(b.address());
    assertThat(a.listenPort()).isEqualTo(b.listenPort());

    a = driver().start(a, fakeAgent(a));
    b = driver().start(b, fakeAgent(b));
    awaitReady(a);
    awaitReady(b);

    driver().stop(a, GRACE);
    assertThat(get(a, "/readyz", null).status()).isEqualTo(-1);
    assertThat(get(b, "/readyz", null).status()).isEqualTo(200);
  }

  @Test
  void stop_endsTheAgentsChildrenToo() {
    Placement p = driver().start(create(), shell("sleep 1000 & sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> agentProcesses(p).size() >= 3);
    Set<Long> before = agentProcesses(p);

    driver().stop(p, GRACE);

    assertThat(alive(before)).isEmpty();
  }

  @Test
  void stop_killsAnAgentThatIgnoresTheStopSignal_afterTheGrace() {
    Placement p = driver().start(create(), shell("trap '' TERM; echo ignoring TERM; sleep 1000 & wait"));
    await().atMost(Duration.ofSeconds(10)).until(() -> agentProcesses(p).size() >= 2);
    Set<Long> before = agentProcesses(p);

    long started = System.nanoTime();
    driver().stop(p, Duration.ofMillis(500));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(alive(before)).isEmpty();
  }
}
