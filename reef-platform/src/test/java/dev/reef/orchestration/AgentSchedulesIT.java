package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Sleeping agents keep their schedules: Reef asks the running agent what it has scheduled (the fake runtime reports
 * what the test set, over a real connection to the agent), wakes it shortly before a job or heartbeat is due after
 * the idle timer put it to sleep, does not wake it for the runtime's own upkeep, does not put it to sleep right
 * before a run, and leaves an agent a person stopped alone. Times are the test clock's (the tests' idle limit is
 * minutes), with the tests' schedule settings: wake 60 s ahead, keep awake within 30 s.
 */
@Tag("database-matrix")
class AgentSchedulesIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;

  @Autowired
  TestClock clock;

  @Autowired
  FakeRuntime fakeRuntime;

  private SignedUp tenant;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("schedules"));
    }
    tenant = signUp("Schedule Owner");
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 5,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
  }

  @AfterEach
  void cleanUp() {
    clock.reset();
    for (JsonNode agent : api.get(agents(), tenant.apiKey()).json().path("items")) {
      api.delete(agents() + "/" + agent.path("id").asString(), tenant.apiKey());
    }
  }

  @Test
  void aSleepingAgentIsWokenShortlyBeforeItsJob_butNotForTheRuntimesUpkeep() {
    String id = deploy("scheduled");
    Instant start = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    fakeRuntime.schedule(UUID.fromString(id), clock, List.of(
        new ScheduledRun("Memory Dreaming Promotion", start.plus(Duration.ofMinutes(8)), ScheduledRun.Kind.SYSTEM),
        new ScheduledRun("harbour report", start.plus(Duration.ofMinutes(10)), ScheduledRun.Kind.JOB)));

    JsonNode live = api.get(agent(id) + "/schedule", tenant.apiKey()).json();
    assertThat(live.path("live").asBoolean()).isTrue();
    assertThat(live.path("runs").valueStream().map(r -> r.path("name").asString() + "/" + r.path("kind").asString()
        + "/" + r.path("wakesAgent").asBoolean()).toList())
        .containsExactly("Memory Dreaming Promotion/system/false", "harbour report/job/true");
    assertThat(Instant.parse(live.path("nextWakeAt").asString())).isEqualTo(start.plus(Duration.ofMinutes(10)));

    // idle for 6 minutes: asked once more, the job is 4 minutes off, so it goes to sleep
    clock.advance(Duration.ofMinutes(6));
    awaitState(id, "stopped");
    assertThat(api.get(agent(id), tenant.apiKey()).json().path("idle").asBoolean()).isTrue();
    JsonNode asleep = api.get(agent(id) + "/schedule", tenant.apiKey()).json();
    assertThat(asleep.path("live").asBoolean()).isFalse();
    assertThat(Instant.parse(asleep.path("nextWakeAt").asString())).isEqualTo(start.plus(Duration.ofMinutes(10)));
    assertThat(Instant.parse(api.get(agent(id), tenant.apiKey()).at("/nextRunAt")))
        .isEqualTo(start.plus(Duration.ofMinutes(10)));
    // the dashboard says when it wakes
    dev.reef.testing.DashboardClient dashboard = new dev.reef.testing.DashboardClient(api.base());
    dashboard.login(tenant.email(), tenant.password());
    String page = dashboard.get("/t/" + tenant.tenantId() + "/agents/" + id).body();
    assertThat(page).contains("sleeping, next run ").contains(java.time.format.DateTimeFormatter
        .ofPattern("HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC).format(start.plus(Duration.ofMinutes(10))));

    // the upkeep run comes due: nothing wakes the agent for it
    clock.advance(Duration.ofSeconds(150)); // 8.5 minutes in: dreaming is due, the job 90 s away
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
        "stopped".equals(api.get(agent(id), tenant.apiKey()).at("/state")));

    // within the wake lead of the job: woken, before it is due
    clock.advance(Duration.ofSeconds(45)); // 9.25 minutes in: the job is 45 s away
    awaitState(id, "running");
    assertThat(clock.instant()).isBefore(start.plus(Duration.ofMinutes(10)));
  }

  @Test
  void anAgentWhoseRunIsNear_staysAwake_andOneAPersonStopped_isNotWoken() {
    String id = deploy("busy");
    Instant start = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    fakeRuntime.schedule(UUID.fromString(id), clock, List.of(
        new ScheduledRun("every few minutes", start.plus(Duration.ofMinutes(6)).plusSeconds(15),
            ScheduledRun.Kind.JOB)));
    clock.advance(Duration.ofMinutes(6)); // idle past its limit, but the run is 15 s off
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
        "running".equals(api.get(agent(id), tenant.apiKey()).at("/state")));

    api.delete(agent(id), tenant.apiKey());

    // A person stops an agent: its next run does not start it again
    String stopped = deploy("stopped-by-a-person");
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    fakeRuntime.schedule(UUID.fromString(stopped), clock, List.of(
        new ScheduledRun("nightly", now.plus(Duration.ofMinutes(3)), ScheduledRun.Kind.JOB)));
    assertThat(api.get(agent(stopped) + "/schedule", tenant.apiKey()).json().path("nextWakeAt").asString())
        .isNotBlank();
    api.post(agent(stopped) + "/stop", tenant.apiKey(), Map.of());
    awaitState(stopped, "stopped");
    clock.advance(Duration.ofMinutes(2).plusSeconds(30)); // within the wake lead of its run
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
        "stopped".equals(api.get(agent(stopped), tenant.apiKey()).at("/state")));
  }

  @Test
  void anotherTenantsAgentSchedule_isNotFound() {
    String id = createStopped("private");
    SignedUp stranger = signUp("Schedule Stranger");
    assertThat(api.get(agent(id) + "/schedule", stranger.apiKey()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/tenants/" + stranger.tenantId() + "/agents/" + id + "/schedule",
        stranger.apiKey()).status()).isEqualTo(404);
    Response own = api.get(agent(id) + "/schedule", tenant.apiKey());
    assertThat(own.status()).isEqualTo(200);
    assertThat(own.json().path("runs").size()).isZero(); // never asked: it never ran
  }

  // ---------------------------------------------------------------------------------------------------------------

  private String agents() {
    return "/api/v1/tenants/" + tenant.tenantId() + "/agents";
  }

  private String agent(String id) {
    return agents() + "/" + id;
  }

  private String deploy(String name) {
    Response created = api.post(agents(), tenant.apiKey(), Api.body("name", name, "runtime", FakeRuntime.NAME));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    awaitState(created.at("/id"), "running");
    return created.at("/id");
  }

  private String createStopped(String name) {
    Response created = api.post(agents(), tenant.apiKey(), Api.body("name", name, "runtime", FakeRuntime.NAME,
        "start", false));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.at("/id");
  }

  private void awaitState(String id, String state) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(api.get(agent(id), tenant.apiKey()).json().path("state").asString()).as(() ->
            api.get(agent(id), tenant.apiKey()).toString()).isEqualTo(state));
  }
}
