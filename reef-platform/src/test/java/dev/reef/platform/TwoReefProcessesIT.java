package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.LeftoverAgents;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.PostgresTestDatabase;
import dev.reef.testing.ReefApplicationIT;
import dev.reef.testing.ReefProcess;
import dev.reef.testing.TestDatabase;
import dev.reef.testing.TestRedis;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.FakeAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Reef processes - separate JVMs, as two replicas are - on one PostgreSQL, one Redis and (for the process
 * driver's agents) one data dir: a dashboard session made on one is good on the other, caps hold across both, each
 * agent is acted on by one replica at a time, and when one replica is killed with {@code kill -9} the other does all
 * the work. Which replica recorded each agent event is in {@code agent_events.replica}; this test reads it from the
 * database.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the agents test kills replica A: it goes last
class TwoReefProcessesIT {

  private static final String A = "replica-a";
  private static final String B = "replica-b";
  private static final MockUpstream UPSTREAM = new MockUpstream();

  @TempDir
  static Path dataDir;
  @TempDir
  static Path logDir;

  private static PostgresTestDatabase database;
  private static String prefix;
  private static ReefProcess first;
  private static ReefProcess second;
  private static GatewayFixture catalog;

  @BeforeAll
  static void twoProcesses() throws Exception {
    TestDatabase.requirePostgres();
    TestRedis.require();
    database = PostgresTestDatabase.create();
    prefix = TestRedis.uniquePrefix();
    Map<String, Object> shared = Map.of(
        "spring.datasource.url", database.jdbcUrl(),
        "spring.datasource.username", database.username(),
        "spring.datasource.password", database.password(),
        "reef.redis.url", TestRedis.url(),
        "reef.redis.key-prefix", prefix,
        "reef.secrets.master-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "reef.gateway.catalog-refresh", "1s",
        "reef.agents.reconcile-interval", "1s");
    first = ReefProcess.start(A, dataDir, logDir, with(shared, "reef.replica-id", A));
    second = ReefProcess.start(B, dataDir, logDir, with(shared, "reef.replica-id", B));
    catalog = new GatewayFixture(first.api(), UPSTREAM, "replicas");
  }

  @AfterAll
  static void stop() throws Exception {
    for (ReefProcess reef : new ReefProcess[] {first, second}) {
      if (reef != null) {
        reef.close();
      }
    }
    LeftoverAgents.kill(dataDir);
    if (database != null) {
      database.drop();
    }
    if (prefix != null) {
      TestRedis.deleteKeys(prefix);
    }
    UPSTREAM.close();
  }

  @Test
  @Order(1)
  void dashboardSession_madeOnOneProcess_isSignedInOnTheOther() throws Exception {
    DashboardClient browser = new DashboardClient(first.api().base());
    HttpResponse<String> login = browser.login("operator@reef.test", "operator-password-1");
    assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("login"));
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpRequest.Builder tenants = HttpRequest.newBuilder(URI.create(second.api().base() + "/operator/tenants"));

    HttpResponse<String> withCookie = http.send(tenants.copy().header("Cookie", "JSESSIONID=" + browser.sessionId())
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(withCookie.statusCode()).as("the session is in the database, not in replica A").isEqualTo(200);
    assertThat(withCookie.body()).contains("Tenants");
    HttpResponse<String> without = http.send(tenants.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(without.statusCode()).isEqualTo(302);
  }

  @Test
  @Order(2)
  void budgetAndRateLimit_holdAcrossBothProcesses() throws Exception {
    Api a = first.api();
    Api b = second.api();
    // input free, output $2 per million tokens: 500 max tokens reserve exactly $0.001 per call
    catalog.model("replicas-output-priced", catalog.openAiProvider, "m", "0", "2.00", "0", List.of());
    Tenant budgeted = signUp(a, "budget");
    a.put(budgeted.limits(), ReefApplicationIT.MASTER_KEY, Map.of("monthlyBudgetUsd", 0.005,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "tokensPerMinute", 100000000));
    Tenant limited = signUp(b, "rate");
    b.put(limited.limits(), ReefApplicationIT.MASTER_KEY, Map.of("monthlyBudgetUsd", 1000,
        "requestsPerMinute", 4, "maxConcurrentRequests", 1000, "tokensPerMinute", 100000000));
    await().atMost(Duration.ofSeconds(20)).until(() -> b.get("/v1/models", budgeted.key()).text()
        .contains("replicas-output-priced"));
    Thread.sleep(2500); // both processes' caches of the tenants' limits (refreshed every second here) catch up

    Map<String, Object> call = Api.body("model", "replicas-output-priced", "max_tokens", 500,
        "messages", List.of(Map.of("role", "user", "content", "hi")));
    UPSTREAM.latency(Duration.ofSeconds(2)); // every admitted call is in flight at once
    List<Integer> budgetStatuses = burst(a, b, budgeted.key(), call, 20);
    UPSTREAM.latency(Duration.ZERO);
    assertThat(budgetStatuses).containsOnly(200, 429);
    assertThat(budgetStatuses.stream().filter(s -> s == 200).count())
        .as("a $0.005 budget admits five $0.001 worst cases, whichever process they reach").isEqualTo(5);

    awayFromAMinuteBoundary(); // the per-minute window is a calendar minute of Redis's clock
    List<Integer> rateStatuses = burst(a, b, limited.key(), call, 12);
    assertThat(rateStatuses.stream().filter(s -> s == 200).count())
        .as("4 requests per minute between both processes").isEqualTo(4);
    Api.Response refused = a.post("/v1/chat/completions", limited.key(), call);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.at("/error/code")).isEqualTo("rate_limit_exceeded");
  }

  @Test
  @Order(3)
  void agents_eachStartedOnce_andWhenOneProcessIsKilledTheOtherDoesAllTheWork() throws Exception {
    Api a = first.api();
    Api b = second.api();
    Tenant tenant = signUp(a, "agents");
    a.put(tenant.limits(), ReefApplicationIT.MASTER_KEY, Map.of("maxAgents", 10, "monthlyBudgetUsd", 1000,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "tokensPerMinute", 100000000));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Api via = i % 2 == 0 ? a : b;
      Api.Response created = via.post(tenant.agents(), tenant.key(),
          Api.body("name", "agent-" + i, "runtime", "fake", "model", catalog.gpt));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      ids.add(created.at("/id"));
    }
    for (String id : ids) {
      awaitState(b, tenant, id, "running", Duration.ofSeconds(120));
    }
    Thread.sleep(3000); // several passes of both reconcilers over running agents
    for (String id : ids) {
      assertThat(events(id, "running")).as("agent %s started exactly once between two reconcilers", id)
          .hasSize(1);
      assertThat(agentProcesses(id)).as("one process for agent %s", id).isEqualTo(1);
      assertThat(events(id, null)).extracting(Event::replica).as("every event names its replica")
          .allMatch(r -> r.equals(A) || r.equals(B));
    }

    // a tenant at its concurrency cap with both calls on A, which is about to die
    Tenant capped = signUp(a, "capped");
    a.put(capped.limits(), ReefApplicationIT.MASTER_KEY, Map.of("monthlyBudgetUsd", 1000,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 2, "tokensPerMinute", 100000000));
    Thread.sleep(2500); // B's cache of the tenant's limits
    Map<String, Object> call = Api.body("model", catalog.gpt, "messages", List.of(Map.of("role", "user",
        "content", "hold on")));
    int before = UPSTREAM.requestCount();
    UPSTREAM.latency(Duration.ofSeconds(90));
    ExecutorService hanging = Executors.newVirtualThreadPerTaskExecutor();
    for (int i = 0; i < 2; i++) {
      hanging.submit(() -> a.post("/v1/chat/completions", capped.key(), call));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> UPSTREAM.requestCount() >= before + 2);

    first.kill();
    Instant killed = Instant.now();
    assertThat(first.isAlive()).isFalse();
    hanging.shutdownNow();
    UPSTREAM.latency(Duration.ZERO);

    // the dead replica's reservations go with their lease (15 s), not after two minutes
    assertThat(b.post("/v1/chat/completions", capped.key(), call).status()).as("A's calls still hold the cap")
        .isEqualTo(429);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> b.post("/v1/chat/completions", capped.key(), call).status() == 200);
    System.out.printf("the capped tenant was served again %d ms after replica A died%n",
        Duration.between(killed, Instant.now()).toMillis());

    // an agent crashes: the survivor notices and restarts it
    String crashy = ids.get(0);
    long pid = agentPid(crashy);
    assertThat(pid).as("a real process id (kill -9 -1 would kill everything)").isGreaterThan(1);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(90)).until(() -> agentPid(crashy) != pid
        && "running".equals(b.get(tenant.agents() + "/" + crashy, tenant.key()).at("/state")));
    assertThat(events(crashy, "crashed")).extracting(Event::replica).containsExactly(B);

    // a stop request and a new agent: only the survivor is there to act
    b.post(tenant.agents() + "/" + ids.get(1) + "/stop", tenant.key(), null);
    awaitState(b, tenant, ids.get(1), "stopped", Duration.ofSeconds(90));
    Api.Response created = b.post(tenant.agents(), tenant.key(),
        Api.body("name", "after-the-kill", "runtime", "fake", "model", catalog.gpt));
    assertThat(created.status()).isEqualTo(201);
    awaitState(b, tenant, created.at("/id"), "running", Duration.ofSeconds(120));

    List<Event> afterKill = new ArrayList<>();
    for (String id : List.of(crashy, ids.get(1), created.at("/id"))) {
      events(id, null).stream().filter(e -> e.at().isAfter(killed)).forEach(afterKill::add);
    }
    assertThat(afterKill).isNotEmpty();
    assertThat(afterKill).extracting(Event::replica).as("after replica A died, only B acted").containsOnly(B);
    for (String id : List.of(ids.get(2), ids.get(3))) {
      assertThat(b.get(tenant.agents() + "/" + id, tenant.key()).at("/state"))
          .as("agents A started keep running").isEqualTo("running");
      assertThat(agentProcesses(id)).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private record Tenant(String id, String key) {
    String agents() {
      return "/api/v1/tenants/" + id + "/agents";
    }

    String limits() {
      return "/api/v1/tenants/" + id + "/limits";
    }
  }

  private record Event(Instant at, String state, String replica) {}

  private static Tenant signUp(Api api, String name) {
    Api.Response signup = api.post("/api/v1/signup", null, Api.body("email", name + "@replicas.test",
        "password", "two-processes-password", "tenantName", "Replicas " + name));
    assertThat(signup.status()).as(signup.toString()).isEqualTo(201);
    return new Tenant(signup.at("/tenantId"), signup.at("/apiKey"));
  }

  /** {@code count} calls at once, alternating between the two processes; their statuses. */
  private static List<Integer> burst(Api a, Api b, String key, Object body, int count) throws Exception {
    List<Future<Api.Response>> calls = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        Api replica = i % 2 == 0 ? a : b;
        calls.add(pool.submit(() -> replica.post("/v1/chat/completions", key, body)));
      }
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<Api.Response> call : calls) {
      Api.Response response = call.get();
      assertThat(response.status()).as(response.toString()).isIn(200, 429);
      statuses.add(response.status());
    }
    return statuses;
  }

  private static void awayFromAMinuteBoundary() throws InterruptedException {
    long intoMinute = Instant.now().toEpochMilli() % 60_000;
    if (intoMinute > 50_000) {
      Thread.sleep(60_000 - intoMinute + 500);
    }
  }

  private static void awaitState(Api api, Tenant tenant, String id, String state, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(500))
        .until(() -> state.equals(api.get(tenant.agents() + "/" + id, tenant.key()).at("/state")));
  }

  /** The agent's events, oldest first, optionally only those entering {@code state}. */
  private static List<Event> events(String agentId, String state) throws Exception {
    try (Connection c = database.adminConnection(); PreparedStatement st = c.prepareStatement(
        "select occurred_at, state, replica from agent_events where agent_id = ? and (? is null or state = ?)"
            + " order by seq")) {
      st.setObject(1, UUID.fromString(agentId));
      st.setString(2, state);
      st.setString(3, state);
      List<Event> events = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Timestamp at = rs.getTimestamp(1);
          events.add(new Event(at.toInstant(), rs.getString(2), rs.getString(3)));
        }
      }
      return events;
    }
  }

  private static long agentPid(String agentId) throws Exception {
    try (Connection c = database.adminConnection();
        PreparedStatement st = c.prepareStatement("select placement from agents where id = ?")) {
      st.setObject(1, UUID.fromString(agentId));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return Long.parseLong(Api.JSON.readTree(rs.getString(1)).path("attributes").path("pid").asString());
      }
    }
  }

  /**
   * Live fake-agent JVMs of this agent (not their wrappers): their command line names FakeAgent and the agent's
   * config file, under its directory. Read from /proc: ProcessHandle gives no command line as long as a test
   * classpath.
   */
  private static long agentProcesses(String agentId) throws IOException {
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      return processes.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
        try {
          List<String> args = List.of(Files.readString(p.resolve("cmdline")).split("\u0000"));
          return !args.isEmpty() && args.getFirst().endsWith("/java")
              && args.contains(FakeAgent.class.getName()) && String.join(" ", args).contains(agentId);
        } catch (IOException | UncheckedIOException gone) {
          return false;
        }
      }).count();
    }
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> all = new java.util.LinkedHashMap<>(base);
    all.put(key, value);
    return all;
  }
}
