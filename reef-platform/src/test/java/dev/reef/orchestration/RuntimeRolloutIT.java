package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Runtime rollouts end to end on the fake runtime (real agent processes in their sandboxes): a canary and batches
 * that move running agents at an idle moment and sleeping ones at once, a broken version's batch rolled back, pins,
 * and the operator's controls. Every rollout here names its tenants, so other tests' agents are never moved.
 */
@org.junit.jupiter.api.Tag("database-matrix")
class RuntimeRolloutIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final String ROLLOUTS = "/api/v1/runtimes/rollouts";
  private static GatewayFixture catalog;
  private final List<SignedUp> tenants = new ArrayList<>();

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void catalog() {
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("rollouts"));
    }
  }

  @AfterEach
  void deleteAgents() {
    tenants.forEach(this::deleteAgents);
  }

  @Test
  void canaryThenBatches_movesRunningAgentsWhenIdle_andSleepingOnesAtOnce_withEveryMoveInTheirEvents() {
    install("1.0.1");
    Deployed canary = deploy("canary", true);
    Deployed running = deploy("running", true);
    Deployed asleep = deploy("asleep", false);

    Response started = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.1",
        "tenants", List.of(canary.tenantId(), running.tenantId(), asleep.tenantId()),
        "canaryTenants", List.of(canary.tenantId()), "batchSize", 1, "pauseSeconds", 0));
    assertThat(started.status()).as(started.toString()).isEqualTo(201);
    String rollout = ROLLOUTS + "/" + started.at("/id");
    JsonNode done = awaitRollout(rollout, "completed");

    assertThat(done.path("batchCount").asInt()).as("canary, then the running agent, then the sleeping one")
        .isEqualTo(3);
    assertThat(done.at("/agents/healthy").asInt()).isEqualTo(2);
    assertThat(done.at("/agents/moved").asInt()).isEqualTo(1);
    assertThat(done.path("reason").asString()).contains("moved 3 agents to 1.0.1");
    JsonNode perAgent = api.get(rollout + "/agents", MASTER_KEY).json().path("items");
    assertThat(find(perAgent, canary.id()).path("batch").asInt()).isZero();
    assertThat(find(perAgent, running.id()).path("batch").asInt()).isEqualTo(1);
    assertThat(find(perAgent, asleep.id()).path("state").asString()).isEqualTo("moved");
    assertThat(find(perAgent, canary.id()).path("fromVersion").asString()).isEqualTo(FakeRuntime.VERSION);

    for (Deployed d : List.of(canary, running)) {
      JsonNode agent = agent(d);
      assertThat(agent.path("runtimeVersion").asString()).isEqualTo("1.0.1");
      assertThat(agent.path("state").asString()).isEqualTo("running");
      assertThat(events(d)).anyMatch(r -> r.startsWith("moving from fake 1.0.0 to 1.0.1 (rollout "))
          .anyMatch(r -> r.startsWith("ready on fake 1.0.1 (rollout "));
    }
    assertThat(agent(asleep).path("state").asString()).isEqualTo("stopped");
    assertThat(agent(asleep).path("runtimeVersion").asString()).isEqualTo("1.0.1");
    assertThat(events(asleep)).anyMatch(r -> r.contains("now on fake 1.0.1 (was 1.0.0)")
        && r.contains("it starts on it when next started"));
    // A rollout limited to some tenants does not change what new agents get
    assertThat(runtime("fake").path("currentVersion").asString()).isEqualTo(FakeRuntime.VERSION);

    // The sleeping agent simply wakes on the new version
    assertThat(api.post(agentPath(asleep) + "/start", asleep.key(), Map.of()).status()).isEqualTo(202);
    awaitState(asleep, "running");
    assertThat(agent(asleep).path("runtimeVersion").asString()).isEqualTo("1.0.1");
  }

  @Test
  void failedBatch_stopsTheRollout_andRollsItsAgentsBack_theRestNeverMove() {
    install("1.0.2" + FakeRuntime.BROKEN);
    Deployed canary = deploy("canary", true);
    Deployed other = deploy("other", true);

    Response started = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake",
        "targetVersion", "1.0.2" + FakeRuntime.BROKEN, "tenants", List.of(canary.tenantId(), other.tenantId()),
        "canaryTenants", List.of(canary.tenantId()), "batchSize", 5, "pauseSeconds", 0));
    assertThat(started.status()).as(started.toString()).isEqualTo(201);
    String rollout = ROLLOUTS + "/" + started.at("/id");
    JsonNode failed = awaitRollout(rollout, "failed");
    assertThat(failed.path("reason").asString()).contains("batch 1 of 2 (canary) failed").contains(canary.id())
        .contains("rolling back 1 agent");

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
        api.get(rollout, MASTER_KEY).at("/agents/rolled_back").equals("1"));
    awaitState(canary, "running");
    assertThat(agent(canary).path("runtimeVersion").asString()).isEqualTo(FakeRuntime.VERSION);
    assertThat(events(canary)).anyMatch(r -> r.contains("rollback of rollout"))
        .anyMatch(r -> r.contains("1.0.2-broken"));
    JsonNode perAgent = api.get(rollout + "/agents", MASTER_KEY).json().path("items");
    assertThat(find(perAgent, other.id()).path("state").asString()).isEqualTo("skipped");
    assertThat(agent(other).path("runtimeVersion").asString()).isEqualTo(FakeRuntime.VERSION);
    assertThat(agent(other).path("state").asString()).isEqualTo("running");
  }

  @Test
  void pins_holdATenantsAgents_onlyAsLongAsItsPlanAllows_andRolloutsPassThemBy() {
    install("1.0.3");
    Deployed pinned = deploy("pinned", true);
    Deployed moving = deploy("moving", true);
    String pins = "/api/v1/tenants/" + pinned.tenantId() + "/runtime-pins";

    Response refused = api.put(pins + "/fake", pinned.key(), Map.of("version", FakeRuntime.VERSION));
    assertThat(refused.status()).as("the default plan allows no pins").isEqualTo(403);
    assertThat(refused.at("/detail")).contains("runtimePinDays");

    assertThat(api.put("/api/v1/tenants/" + pinned.tenantId() + "/limits", MASTER_KEY,
        Map.of("runtimePinDays", 7)).status()).isEqualTo(200);
    assertThat(api.put(pins + "/fake", pinned.key(), Map.of("version", FakeRuntime.VERSION, "days", 30)).status())
        .as("longer than the plan allows").isEqualTo(400);
    assertThat(api.put(pins + "/fake", pinned.key(), Map.of("version", "9.9.9")).status())
        .as("a version that is not installed").isEqualTo(400);
    Response pin = api.put(pins + "/fake", pinned.key(), Map.of("version", FakeRuntime.VERSION, "days", 3));
    assertThat(pin.status()).as(pin.toString()).isEqualTo(200);
    assertThat(Instant.parse(pin.at("/until"))).isBetween(Instant.now().plus(Duration.ofDays(3)).minusSeconds(60),
        Instant.now().plus(Duration.ofDays(3)).plusSeconds(60));
    assertThat(api.get(pins, moving.key()).status()).as("another tenant's pins").isEqualTo(404);

    Response started = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.3",
        "tenants", List.of(pinned.tenantId(), moving.tenantId()), "pauseSeconds", 0));
    assertThat(started.status()).as(started.toString()).isEqualTo(201);
    JsonNode done = awaitRollout(ROLLOUTS + "/" + started.at("/id"), "completed");
    assertThat(done.at("/agents/held").asInt()).isEqualTo(1);
    assertThat(done.at("/agents/healthy").asInt()).isEqualTo(1);
    assertThat(agent(pinned).path("runtimeVersion").asString()).isEqualTo(FakeRuntime.VERSION);
    assertThat(agent(moving).path("runtimeVersion").asString()).isEqualTo("1.0.3");

    // Pinning to another version moves the tenant's agents there at their next idle moment
    Response repin = api.put(pins + "/fake", pinned.key(), Map.of("version", "1.0.3", "days", 1));
    assertThat(repin.status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
        agent(pinned).path("runtimeVersion").asString().equals("1.0.3")
            && agent(pinned).path("state").asString().equals("running"));
    assertThat(api.delete(pins + "/fake", pinned.key()).status()).isEqualTo(204);
    assertThat(api.delete(pins + "/fake", pinned.key()).status()).isEqualTo(404);
  }

  @Test
  void operatorControls_andBadRequests() {
    Deployed first = deploy("first", true);
    Deployed second = deploy("second", false);
    install("1.0.4");
    Response notOperator = api.post(ROLLOUTS, first.key(), Map.of("runtime", "fake", "targetVersion", "1.0.4"));
    assertThat(notOperator.status()).isEqualTo(403);
    assertThat(api.get("/api/v1/runtimes", first.key()).status()).isEqualTo(403);
    assertThat(api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "nope", "targetVersion", "1.0.4")).status())
        .isEqualTo(400);
    assertThat(api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "latest")).status())
        .isEqualTo(400);
    Response notInstalled = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "7.7.7"));
    assertThat(notInstalled.status()).isEqualTo(409);
    assertThat(notInstalled.at("/detail")).contains("install it first");
    assertThat(api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.4",
        "tenants", List.of("not-a-tenant"))).status()).isEqualTo(400);
    assertThat(api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.4",
        "tenants", List.of(java.util.UUID.randomUUID().toString()))).status()).isEqualTo(400);
    assertThat(api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.4",
        "batchSize", 0)).status()).isEqualTo(400);
    assertThat(api.get(ROLLOUTS + "/" + java.util.UUID.randomUUID(), MASTER_KEY).status()).isEqualTo(404);

    // Two batches with an hour between them: the second waits, a second rollout of the runtime is refused
    Response started = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.4",
        "tenants", List.of(first.tenantId(), second.tenantId()), "batchSize", 1, "pauseSeconds", 3600));
    assertThat(started.status()).as(started.toString()).isEqualTo(201);
    String rollout = ROLLOUTS + "/" + started.at("/id");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
        api.get(rollout, MASTER_KEY).at("/currentBatch").equals("1"));
    assertThat(api.get(rollout, MASTER_KEY).at("/reason")).contains("3600 s pause");
    Response second2 = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "fake", "targetVersion", "1.0.4"));
    assertThat(second2.status()).isEqualTo(409);

    assertThat(api.post(rollout + "/resume", MASTER_KEY, Map.of()).status()).as("not paused").isEqualTo(409);
    assertThat(api.post(rollout + "/pause", MASTER_KEY, Map.of()).at("/state")).isEqualTo("paused");
    assertThat(api.post(rollout + "/resume", MASTER_KEY, Map.of()).at("/state")).isEqualTo("running");
    Response cancelled = api.post(rollout + "/cancel", MASTER_KEY, Map.of());
    assertThat(cancelled.at("/state")).isEqualTo("cancelled");
    assertThat(cancelled.at("/agents/skipped")).isEqualTo("1");
    assertThat(agent(second).path("runtimeVersion").asString()).isEqualTo(FakeRuntime.VERSION);
    assertThat(api.post(rollout + "/cancel", MASTER_KEY, Map.of()).status()).isEqualTo(409);

    JsonNode listed = api.get(ROLLOUTS, MASTER_KEY).json().path("items");
    assertThat(listed.get(0).path("id").asString()).isEqualTo(started.at("/id"));
    JsonNode fake = runtime("fake");
    assertThat(fake.path("installsLocally").asBoolean()).isTrue();
    assertThat(fake.path("versions").valueStream().map(v -> v.path("version").asString())).contains("1.0.4",
        FakeRuntime.VERSION);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private record Deployed(String tenantId, String key, String id) {}

  /** A new tenant with one fake agent, running or created stopped. */
  private Deployed deploy(String name, boolean start) {
    SignedUp t = signUp("Rollout " + name);
    tenants.add(t);
    catalog.generousLimits(t.tenantId());
    Response created = api.post("/api/v1/tenants/" + t.tenantId() + "/agents", t.apiKey(), Api.body("name", name,
        "runtime", FakeRuntime.NAME, "start", start));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    Deployed d = new Deployed(t.tenantId(), t.apiKey(), created.at("/id"));
    awaitState(d, start ? "running" : "stopped");
    return d;
  }

  private void install(String version) {
    Response installing = api.post("/api/v1/runtimes/fake/installs", MASTER_KEY, Map.of("version", version));
    assertThat(installing.status()).as(installing.toString()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
        runtime("fake").path("versions").valueStream().anyMatch(v -> v.path("version").asString().equals(version)
            && v.path("install").asString().equals("installed")));
  }

  private JsonNode runtime(String name) {
    for (JsonNode r : api.get("/api/v1/runtimes", MASTER_KEY).json().path("items")) {
      if (r.path("name").asString().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no runtime " + name);
  }

  private JsonNode awaitRollout(String path, String state) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
      String now = api.get(path, MASTER_KEY).at("/state");
      assertThat(now).as(api.get(path, MASTER_KEY).toString()).isIn("running", state);
      return now.equals(state);
    });
    return api.get(path, MASTER_KEY).json();
  }

  private static JsonNode find(JsonNode items, String agentId) {
    for (JsonNode item : items) {
      if (item.path("agentId").asString().equals(agentId)) {
        return item;
      }
    }
    throw new AssertionError("no agent " + agentId + " in " + items);
  }

  private String agentPath(Deployed d) {
    return "/api/v1/tenants/" + d.tenantId() + "/agents/" + d.id();
  }

  private JsonNode agent(Deployed d) {
    return api.get(agentPath(d), d.key()).json();
  }

  private List<String> events(Deployed d) {
    return api.get(agentPath(d) + "/events", d.key()).json().path("items").valueStream()
        .map(e -> e.path("reason").asString()).toList();
  }

  private void awaitState(Deployed d, String state) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        agent(d).path("state").asString().equals(state));
  }
}
