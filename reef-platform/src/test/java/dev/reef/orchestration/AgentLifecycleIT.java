package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.DataScope;
import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Agents end to end with the fake runtime (a real separate process that answers readiness and chat and calls Reef's
 * proxy with its agent token): deploy, chat, stop, crash and restart, idle stop and wake, delete.
 */
class AgentLifecycleIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;

  @Autowired
  TestClock clock;

  @Autowired
  JdbcClient jdbc;

  @Autowired
  TransactionTemplate tx;

  @Autowired
  dev.reef.testing.FakeRuntime fakeRuntime;

  private SignedUp tenant;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    UPSTREAM.reset();
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("agents"));
    }
    tenant = signUp("Agent Owner");
    catalog.generousLimits(tenant.tenantId());
  }

  @AfterEach
  void cleanUp() {
    clock.reset();
    // Delete this test's agents so their processes do not outlive the test.
    for (JsonNode agent : api.get(agents(), tenant.apiKey()).json().path("items")) {
      api.delete(agents() + "/" + agent.path("id").asString(), tenant.apiKey());
    }
  }

  @Test
  void suspendedTenant_itsAgentsAreStoppedByTheLoop_evenWhenNoSuspendEventFollowsTheCommit() {
    String id = deploy("kill-switch");
    String agent = agents() + "/" + id;
    // As if the replica that suspended the tenant died right after its commit: the status changes, no event runs.
    int changed = DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql(
        "update tenants set status = 'SUSPENDED' where id = :id")
        .param("id", java.util.UUID.fromString(tenant.tenantId())).update()));
    assertThat(changed).isEqualTo(1);
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> "stopped".equals(api.get(agent, MASTER_KEY).at("/state")));
      JsonNode stopped = api.get(agent, MASTER_KEY).json();
      assertThat(stopped.path("stateReason").asString("")).contains("suspended");
      assertThat(stopped.path("desiredState").asString()).as("resuming does not start it by itself")
          .isEqualTo("stopped");
    } finally {
      DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql("update tenants set status = 'ACTIVE' where id = :id")
          .param("id", java.util.UUID.fromString(tenant.tenantId())).update()));
    }
  }

  @Test
  void deploy_reachesRunning_throughEveryState_withAddressAndMemory() {
    String id = deploy("first");
    JsonNode agent = api.get(agents() + "/" + id, tenant.apiKey()).json();
    // sandboxed: Reef reaches it on its gateway socket, nowhere on the machine's network
    assertThat(agent.path("address").asString()).startsWith("unix:/").endsWith("/gateway.sock");
    assertThat(agent.path("startedAt").isNull()).isFalse();
    assertThat(agent.path("memoryBytes").asLong()).isPositive();
    List<String> states = events(id).findValuesAsString("state");
    assertThat(states.reversed()).containsSubsequence("pending", "installing", "starting", "running");
  }

  @Test
  void chat_streamsTheAgentsReply_producedThroughReefsProxy_onThisTenantsBill() throws Exception {
    String id = deploy("chatty", catalog.gpt);
    UPSTREAM.reply("Reef says hello");
    String reply = chat(id, "Hi there");
    assertThat(reply).isEqualTo("Reef says hello");
    MockUpstream.Seen seen = UPSTREAM.lastRequest();
    assertThat(seen.header("authorization")).isEqualTo("Bearer " + GatewayFixture.PLATFORM_OPENAI_KEY);

    await().atMost(Duration.ofSeconds(15)).until(() -> usageByAgent(tenant).path("groups").size() == 1);
    assertThat(usageByAgent(tenant).at("/groups/0/key").asString()).isEqualTo(id);
    SignedUp other = signUp("Bystander");
    assertThat(usageByAgent(other).path("totals").path("requests").asLong()).isZero();
  }

  @Test
  void stop_revokesTheAgentsTokenAtOnce() throws Exception {
    String id = deploy("tokens");
    String agentToken = agentToken(id);
    Map<String, Object> body = Api.body("model", catalog.gpt, "messages", List.of(Map.of("role", "user",
        "content", "hi")));
    assertThat(api.post("/v1/chat/completions", agentToken, body).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/tenants/" + tenant.tenantId(), agentToken).status())
        .as("an agent token is no API credential").isEqualTo(401);

    api.post(agents() + "/" + id + "/stop", tenant.apiKey(), null);
    // refused as soon as the stop is asked for, while the agent may still be on its way down
    assertThat(api.post("/v1/chat/completions", agentToken, body).status()).isEqualTo(401);
    awaitState(id, "stopped");
    assertThat(api.post("/v1/chat/completions", agentToken, body).status()).isEqualTo(401);
  }

  @Test
  void kill9_agentIsRestarted_andTheEventSaysWhy() throws Exception {
    String id = deploy("crashy");
    String startedAt = api.get(agents() + "/" + id, tenant.apiKey()).at("/startedAt");
    long pid = pid(id);
    assertThat(pid).as("a real process id (kill -9 -1 would kill everything)").isGreaterThan(1);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    await().atMost(Duration.ofSeconds(30)).until(() -> events(id).findValuesAsString("state").contains("crashed"));
    JsonNode crash = events(id).valueStream().filter(e -> e.path("state").asString().equals("crashed"))
        .findFirst().orElseThrow();
    assertThat(crash.path("reason").asString()).contains("9");
    awaitState(id, "running");
    assertThat(api.get(agents() + "/" + id, tenant.apiKey()).at("/startedAt")).isNotEqualTo(startedAt);
    assertThat(pid(id)).isNotEqualTo(pid);
  }

  @Test
  void idle_agentIsStopped_andTheNextChatWakesIt() throws Exception {
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 5,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
    String id = deploy("sleepy");
    clock.advance(Duration.ofMinutes(6));
    awaitState(id, "stopped");
    JsonNode stopped = api.get(agents() + "/" + id, tenant.apiKey()).json();
    assertThat(stopped.path("idle").asBoolean()).isTrue();
    assertThat(stopped.path("stateReason").asString()).contains("idle");

    String reply = chat(id, "wake up");
    assertThat(reply).isEqualTo("Hello from the mock provider");
    assertThat(api.get(agents() + "/" + id, tenant.apiKey()).at("/state")).isEqualTo("running");
  }

  @Test
  void maxAgents_isEnforced() {
    deploy("only-one");
    Response second = api.post(agents(), tenant.apiKey(), Api.body("name", "second", "runtime", "fake"));
    assertThat(second.status()).isEqualTo(403);
    assertThat(second.at("/type")).isEqualTo("urn:reef:problem:quota-exceeded");
  }

  @Test
  void create_badInput_namesTheField() {
    Response badName = api.post(agents(), tenant.apiKey(), Api.body("name", "Not Valid!", "runtime", "fake"));
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.at("/errors/0/field")).isEqualTo("name");
    Response badRuntime = api.post(agents(), tenant.apiKey(), Api.body("name", "ok", "runtime", "nope"));
    assertThat(badRuntime.at("/errors/0/field")).isEqualTo("runtime");
    Response badModel = api.post(agents(), tenant.apiKey(), Api.body("name", "ok", "runtime", "fake",
        "model", "not-a-model"));
    assertThat(badModel.at("/errors/0/field")).isEqualTo("model");
  }

  @Test
  void anAgentWhoseSandboxCannotBeMade_endsFailed_sayingWhy_withoutRetrying() {
    fakeRuntime.needsAMissingPath(true);
    try {
      Response created = api.post(agents(), tenant.apiKey(), Api.body("name", "unboxable", "runtime", "fake"));
      assertThat(created.status()).isEqualTo(201);
      String id = created.at("/id");
      awaitState(id, "failed");
      JsonNode agent = api.get(agents() + "/" + id, tenant.apiKey()).json();
      assertThat(agent.path("stateReason").asString()).startsWith("the sandbox could not be set up")
          .contains("/no/such/runtime/for/this/agent");
      List<String> states = events(id).findValuesAsString("state");
      assertThat(states).contains("failed").doesNotContain("running", "crashed");
    } finally {
      fakeRuntime.reset();
    }
  }

  @Test
  void delete_stopsTheAgent_andRemovesItsFiles() throws Exception {
    String id = deploy("doomed");
    long pid = pid(id);
    Path state = hostPath(id, "state");
    assertThat(Files.isDirectory(state)).isTrue();
    assertThat(api.delete(agents() + "/" + id, tenant.apiKey()).status()).isEqualTo(204);
    assertThat(api.get(agents() + "/" + id, tenant.apiKey()).status()).isEqualTo(404);
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty() && !Files.exists(state));
  }

  @Test
  void logs_tailAndEvents() throws Exception {
    String id = deploy("talkative");
    chat(id, "hello");
    Response logs = api.send("GET", agents() + "/" + id + "/logs?tail=50", tenant.apiKey(), null,
        Map.of("Accept", "text/plain"));
    assertThat(logs.status()).isEqualTo(200);
    assertThat(logs.text()).isNotBlank();
    assertThat(events(id).size()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void followEvents_streamsEachChangeAsItHappens_andEndsWhenTheAgentIsDeleted() throws Exception {
    String id = deploy("watched");
    long seq = events(id).path(0).path("seq").asLong();
    HttpRequest follow = HttpRequest.newBuilder(URI.create(api.base() + agents() + "/" + id
        + "/events?follow=true&after=" + seq)).header("Authorization", "Bearer " + tenant.apiKey()).build();
    HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(follow,
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    Thread reader = Thread.ofVirtual().start(() -> {
      try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body()))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
        lines.add("<end>");
      } catch (java.io.IOException e) {
        lines.add("<broken: " + e + ">");
      }
    });

    api.post(agents() + "/" + id + "/stop", tenant.apiKey(), null);
    List<String> stopping = nextStates(lines, 2);
    assertThat(stopping).containsExactly("stopping", "stopped");

    assertThat(api.delete(agents() + "/" + id, tenant.apiKey()).status()).isEqualTo(204);
    String last = "";
    for (String line = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS); line != null && !line.equals("<end>");
        line = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS)) {
      last = line.startsWith("event:") ? line : last;
    }
    assertThat(last).as("the stream's last event").isEqualTo("event:deleted");
    reader.join(Duration.ofSeconds(5));
  }

  @Test
  void followEvents_ofAnotherTenantsAgent_is404_andABadCursorIs400() {
    String id = deploy("private");
    SignedUp other = signUp("Snoop");
    assertThat(api.get("/api/v1/tenants/" + other.tenantId() + "/agents/" + id + "/events?follow=true",
        other.apiKey()).status()).isEqualTo(404);
    Response bad = api.get(agents() + "/" + id + "/events?follow=true&after=-1", tenant.apiKey());
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text()).contains("after");
  }

  /** The states of the next {@code count} state events on a followed stream (30 s at most each). */
  private static List<String> nextStates(java.util.concurrent.BlockingQueue<String> lines, int count)
      throws InterruptedException {
    List<String> states = new java.util.ArrayList<>();
    String event = "";
    while (states.size() < count) {
      String line = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(line).as("a line within 30 s; so far " + states).isNotNull();
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:") && event.equals("state")) {
        states.add(Api.JSON.readTree(line.substring(5).trim()).path("state").asString());
      }
    }
    return states;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private String agents() {
    return "/api/v1/tenants/" + tenant.tenantId() + "/agents";
  }

  private String deploy(String name) {
    return deploy(name, null);
  }

  private String deploy(String name, String model) {
    Response created = api.post(agents(), tenant.apiKey(), Api.body("name", name, "runtime", "fake",
        "model", model));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.at("/id");
    awaitState(id, "running");
    return id;
  }

  private void awaitState(String id, String state) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        api.get(agents() + "/" + id, tenant.apiKey()).at("/state").equals(state));
  }

  private JsonNode events(String id) {
    return api.get(agents() + "/" + id + "/events", tenant.apiKey()).json().path("items");
  }

  @Test
  void chat_whileTheModelsProviderFails_endsWithTheReason_beforeTheAgentGivesUpRetrying() throws Exception {
    fakeRuntime.proxyRetries(8); // like OpenClaw: the agent calls again, a second apart
    String id;
    try {
      id = deploy("provider-down");
    } finally {
      fakeRuntime.proxyRetries(0); // the agents of the other tests do not retry
    }
    UPSTREAM.failNext(1000, 503);
    int before = UPSTREAM.requestCount();
    AssertionError failed = null;
    try {
      chat(id, "hello?");
    } catch (AssertionError e) {
      failed = e;
    }
    int attempts = UPSTREAM.requestCount() - before;
    UPSTREAM.reset();
    assertThat(failed).as("the chat ends with an error").isNotNull();
    assertThat(failed.getMessage()).contains("model calls failed").contains("HTTP 502")
        .contains("not your agent").contains("tell your operator");
    assertThat(attempts).as("Reef ended the chat while the agent was still retrying (9 attempts)").isLessThan(9);
  }

  /** Sends a chat and returns the text of its delta events. */
  private String chat(String id, String message) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + agents() + "/" + id + "/chat"))
        .header("Authorization", "Bearer " + tenant.apiKey()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(Map.of("message", message))))
        .build();
    HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request,
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    StringBuilder text = new StringBuilder();
    String event = "";
    for (String line : response.body().toList()) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:") && event.equals("delta")) {
        text.append(Api.JSON.readTree(line.substring(5).trim()).path("text").asString());
      } else if (line.startsWith("data:") && event.equals("error")) {
        throw new AssertionError("chat failed: " + line);
      }
    }
    return text.toString();
  }

  private JsonNode usageByAgent(SignedUp t) {
    return api.get("/api/v1/tenants/" + t.tenantId() + "/usage?groupBy=agent", t.apiKey()).json();
  }

  private JsonNode placement(String id) {
    String json = dev.reef.common.DataScope.callAsPlatform(() -> jdbc.sql(
        "select placement from agents where id = :id").param("id", java.util.UUID.fromString(id))
        .query(String.class).single());
    return Api.JSON.readTree(json);
  }

  private long pid(String id) {
    return Long.parseLong(placement(id).path("attributes").path("pid").asString());
  }

  /** One of the agent's own directories as this machine sees it (inside its sandbox it is {@code /agent/...}). */
  private Path hostPath(String id, String name) {
    JsonNode placement = placement(id);
    Path agentDir = Path.of("target/reef-it-data").toAbsolutePath().resolve("agents")
        .resolve(placement.at("/tenantId/value").asString()).resolve(id);
    return "bubblewrap".equals(placement.path("attributes").path("sandbox").asString())
        ? agentDir.resolve("fs").resolve(name) : Path.of(placement.path("paths").path(name).asString());
  }

  /** The agent's token, as its runtime received it: in the config file the fake runtime writes. */
  private String agentToken(String id) throws Exception {
    Path state = hostPath(id, "state");
    try (var files = Files.walk(state)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(file);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("reef_at_[0-9A-Za-z]+").matcher(text);
        if (m.find()) {
          return m.group();
        }
      }
    }
    throw new AssertionError("no agent token found under " + state);
  }
}
