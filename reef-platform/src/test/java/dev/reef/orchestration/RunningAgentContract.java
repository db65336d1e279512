package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.FakeRuntime;
import dev.reef.orchestration.internal.AgentHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The rest of the {@link ComputeDriverContract}, for drivers whose agents really run in the test: the
 * {@link FakeRuntime}'s {@code FakeAgent} answering HTTP at the placement's address and calling the mock proxy, plain
 * shell commands, their environment, their processes and children.
 */
public abstract class RunningAgentContract extends ComputeDriverContract {

  private final AgentHttp http = new AgentHttp(Duration.ofSeconds(2));

  @AfterEach
  void closeHttp() {
    http.close();
  }

  /** Identifiers of the agent's processes now, its children included. */
  protected abstract Set<Long> agentProcesses(Placement running);

  /** Which of these processes still run. */
  protected abstract Set<Long> alive(Set<Long> processes);

  /** Variables the driver itself adds to an agent's environment. */
  protected Set<String> driverVariables() {
    return Set.of("HOME", "TMPDIR", "PATH");
  }

  @Override
  protected void awaitUp(Placement p) {
    awaitReady(p);
  }

  @Override
  protected void assertDown(Placement p) {
    assertThat(get(p, "/readyz", null).status()).isEqualTo(-1);
  }

  @Override
  protected Placement startEnding(Placement p, int exitCode, String line) {
    return driver().start(p, shell("echo " + line + "; exit " + exitCode));
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  protected static Launch shell(String script) {
    return new Launch(List.of("sh", "-c", script), Map.of(), Map.of());
  }

  protected void awaitReady(Placement p) {
    await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(() -> get(p, "/readyz", null).status() == 200);
  }

  protected record Answer(int status, String body) {}

  /** A GET to the agent at its address; status -1 when nothing answers. */
  protected Answer get(Placement p, String path, String token) {
    AgentHttp.Answer answer = http.get(p, path, token, Duration.ofSeconds(5));
    return new Answer(answer.status(), answer.body());
  }

  protected Answer chat(Placement p, String token, boolean stream) throws Exception {
    Map<String, String> headers = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    byte[] body = ("{\"model\":\"" + runtime.chatModel() + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8);
    try (AgentHttp.Streamed response = http.post(p, runtime.chatPath(), headers, body, Duration.ofSeconds(30))) {
      return new Answer(response.status(), new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Runs a shell script inside the agent (the fake agent's {@code /debug/exec}): its exit code and output. */
  protected Answer exec(Placement p, String script) throws Exception {
    Map<String, String> headers = Map.of("Content-Type", "text/plain", "Authorization", "Bearer " + GATEWAY_TOKEN);
    try (AgentHttp.Streamed response = http.post(p, "/debug/exec", headers,
        script.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(90))) {
      JsonNode result = Api.JSON.readTree(response.body().readAllBytes());
      return new Answer(result.path("exit").asInt(), result.path("output").asString());
    }
  }

  // --- the contract, with real agents --------------------------------------------------------------------------------

  @Test
  void lifecycle_agentAnswersAtItsAddress_andItsOutputIsKeptAcrossAStopAndAStart() throws Exception {
    Placement p = create();

    Placement started = startFakeAgent(p);
    assertThat(get(started, "/readyz", null).body()).contains("\"ready\":true");
    LogStream logs = driver().logs(started);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(String.join("\n", logs.tail(100)))
        .contains("fake-agent: listening on " + started.listenHost() + ":" + started.listenPort())
        .contains("GET /readyz 200"));

    p = driver().stop(started, GRACE);
    assertThat(get(p, "/readyz", null).status()).isEqualTo(-1);

    p = startFakeAgent(p);
    assertThat(driver().logs(p).tail(1000)).filteredOn(l -> l.contains("fake-agent: listening")).hasSize(2);
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
  void twoAgents_runSideBySideOnTheSamePort() {
    Placement a = startFakeAgent(create());
    Placement b = startFakeAgent(create());

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
