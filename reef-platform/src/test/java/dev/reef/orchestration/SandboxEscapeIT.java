package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.orchestration.internal.AgentHttp;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import dev.reef.testing.Api;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestInternet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The escape suite: tenant A's agent is driven by an attacker (the fake agent's {@code /debug/exec} runs shell
 * scripts inside its sandbox, as OpenClaw's exec tool would), tenant B's agent runs beside it, and every attempt
 * to reach what is not A's own fails. Each attack is a test of its own; a test passes when the attack fails and
 * the thing attacked is unharmed. {@code OpenClawEscapeIT} runs an attack through real OpenClaw's exec tool.
 */
class SandboxEscapeIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;
  /** Set up once for all tests: two tenants with a running agent each. */
  private static World world;

  @Autowired
  JdbcClient jdbc;

  @Autowired
  SecretStore secrets;

  @Autowired
  AgentHttp http;

  private record Agent(SignedUp tenant, String id, Placement placement, String gatewayToken, long uid) {
    TenantId tenantId() {
      return TenantId.parse(tenant.tenantId());
    }
  }

  private record World(Agent attacker, Agent victim) {}

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void twoTenantsWithAnAgentEach() {
    if (world == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("escape"));
      world = new World(deploy("Attacker"), deploy("Victim"));
      Api.Response allowed = api.put("/api/v1/tenants/" + world.attacker().tenant().tenantId() + "/egress",
          MASTER_KEY, Map.of("rules", List.of(Map.of("host", TestInternet.get().address(), "ports", List.of(80)))));
      assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
    }
  }

  // --- identity ----------------------------------------------------------------------------------------------------

  @Test
  void eachTenantsAgent_runsAsAUidOfItsOwn_neverRoot() {
    assertThat(attack(world.attacker(), "id -u").trim()).isEqualTo(Long.toString(world.attacker().uid()));
    assertThat(attack(world.victim(), "id -u").trim()).isEqualTo(Long.toString(world.victim().uid()));
    assertThat(world.attacker().uid()).isNotEqualTo(world.victim().uid()).isNotZero();
  }

  // --- the other tenant's agent ------------------------------------------------------------------------------------

  @Test
  void readTheOtherAgentsDirectory_fails() {
    Path victimFiles = hostDir(world.victim()).resolve("fs").resolve("state");
    String out = attack(world.attacker(), "cat " + victimFiles + "/* 2>&1; ls " + hostDir(world.victim())
        + " 2>&1; find / -name 'fake-agent.properties' 2>/dev/null");
    assertThat(out).doesNotContain(world.victim().gatewayToken()).contains("No such file or directory");
    assertThat(out).contains("/agent/state/fake-agent.properties"); // its own, and no other
    assertThat(out.lines().filter(l -> l.endsWith("fake-agent.properties"))).hasSize(1);
  }

  @Test
  void readTheOtherAgentsEnvironmentAndTokens_fails() {
    String out = attack(world.attacker(), "cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n'");
    assertThat(out).doesNotContain(world.victim().gatewayToken()).doesNotContain(world.victim().id())
        .contains(world.attacker().id());
  }

  @Test
  void seeOrSignalTheOtherAgentsProcesses_fails_andTheVictimKeepsRunning() {
    long victimPid = Long.parseLong(placement(world.victim().id()).attributes().get("pid"));
    String out = attack(world.attacker(), "ls /proc | grep -cE '^[0-9]+$'; kill -9 " + victimPid
        + " 2>&1; kill -0 " + ProcessHandle.current().pid() + " 2>&1; echo end");
    assertThat(Integer.parseInt(out.lines().findFirst().orElseThrow().trim())).isLessThan(15);
    assertThat(out).contains("No such process");
    assertThat(ProcessHandle.of(victimPid)).isPresent();
    assertThat(api.get(agentPath(world.victim()), world.victim().tenant().apiKey()).at("/state")).isEqualTo("running");
  }

  @Test
  void reachTheOtherAgentsGateway_fails() {
    String socket = world.victim().placement().address().substring("unix:".length());
    String out = attack(world.attacker(), "ls -la /run/reef/gateway; socat -u OPEN:/dev/null UNIX-CONNECT:" + socket
        + " 2>&1; echo end");
    assertThat(out).contains("No such file or directory").doesNotContain(Path.of(socket).getParent().toString()
        + ":");
  }

  @Test
  void impersonateTheOtherAgent_byTakingItsEndpointWhileItIsStopped_fails() {
    Agent victim = world.victim();
    String agents = agentPath(victim);
    assertThat(api.post(agents + "/stop", victim.tenant().apiKey(), null).status()).isBetween(200, 202);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> "stopped".equals(api.get(agents, victim.tenant().apiKey())
          .at("/state")));
      String socket = victim.placement().address().substring("unix:".length());
      // the attacker tries to listen where Reef looks for the victim
      String out = attack(world.attacker(), "mkdir -p " + Path.of(socket).getParent() + " 2>&1; "
          + "socat UNIX-LISTEN:" + socket + ",fork SYSTEM:'echo impostor' >/dev/null 2>&1 & sleep 1; echo end");
      assertThat(out).contains("end");
      assertThat(Files.exists(Path.of(socket))).as("nothing appeared at the victim's socket on the host").isFalse();
    } finally {
      assertThat(api.post(agents + "/start", victim.tenant().apiKey(), null).status()).isBetween(200, 202);
      await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(api.get(agents, victim.tenant().apiKey())
          .at("/state")));
      world = new World(world.attacker(), reload(victim));
    }
    Placement restarted = placement(victim.id());
    assertThat(restarted.attributes().get(Placement.PEER_UID)).isEqualTo(Long.toString(victim.uid()));
    assertThat(http.get(restarted, "/debug/env", world.victim().gatewayToken(), Duration.ofSeconds(5)).body())
        .as("Reef reaches the real victim").contains(victim.id());
  }

  // --- Reef ---------------------------------------------------------------------------------------------------------

  @Test
  void readReefsDataDirectoryMasterKeysAndDatabase_fails() {
    Path data = Path.of("target/reef-it-data").toAbsolutePath();
    String out = attack(world.attacker(), "ls " + data + " 2>&1; cat " + data.resolve("secrets/master.keys")
        + " 2>&1; find / \\( -name '*.mv.db' -o -name 'master.keys' \\) 2>/dev/null; echo end");
    assertThat(out).contains("No such file or directory").doesNotContain(".mv.db\n").doesNotContain("master.keys\n");
  }

  @Test
  void readReefsEnvironmentAndMemory_fails() {
    long reef = ProcessHandle.current().pid();
    String out = attack(world.attacker(), "cat /proc/" + reef + "/environ 2>&1; head -c 100 /proc/" + reef
        + "/mem 2>&1; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'; echo end");
    assertThat(out).doesNotContain(MASTER_KEY).doesNotContain("REEF_TEST_CANARY").contains("No such file");
  }

  @Test
  void leaveOrChangeItsControlGroup_fails_andItsLimitsStand() throws Exception {
    Placement placement = placement(world.attacker().id());
    String memoryGroup = placement.attributes().get("cgroupMemory");
    String out = attack(world.attacker(), "ls /sys/fs/cgroup 2>&1; echo $$ > /sys/fs/cgroup/cgroup.procs 2>&1; "
        + "mkdir -p /tmp/cg && mount -t cgroup -o memory none /tmp/cg 2>&1; echo 99999999999 > " + memoryGroup
        + "/memory.limit_in_bytes 2>&1; echo end");
    assertThat(out).doesNotContain("cgroup.procs\n");
    if (memoryGroup != null) {
      Path group = Path.of(memoryGroup);
      String limit = Files.exists(group.resolve("memory.limit_in_bytes"))
          ? Files.readString(group.resolve("memory.limit_in_bytes")).trim()
          : Files.readString(group.resolve("memory.max")).trim();
      assertThat(limit).isEqualTo(Long.toString(Long.parseLong(placement.attributes().get("memoryMb")) << 20));
      assertThat(Files.readString(group.resolve("cgroup.procs"))).contains(placement.attributes().get("pid"));
    }
  }

  @Test
  void writeTheRuntimeCache_fails() {
    String out = attack(world.attacker(), "for d in /opt/reef/*; do touch $d/evil 2>&1; done; echo end");
    assertThat(out).contains("Read-only file system");
  }

  // --- the network ---------------------------------------------------------------------------------------------------

  @Test
  void connectToPostgresqlRedisReefOrAnythingOnLoopback_fails() {
    String out = attack(world.attacker(), "bash -c 'for p in 5432 6379 " + port + " 22 18080; do "
        + "(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && echo OPEN-$p || echo closed-$p; done'");
    // 18080 is the agent's own door to the LLM proxy, inside its own network namespace
    assertThat(out).contains("closed-5432", "closed-6379", "closed-" + port, "closed-22", "OPEN-18080");
  }

  @Test
  void reefsApiThroughTheLlmDoor_isNotThere() {
    String out = attack(world.attacker(), "curl -s -o /dev/null -w '%{http_code}' --noproxy '*' "
        + "http://127.0.0.1:18080/api/v1/tenants; echo; curl -s -o /dev/null -w '%{http_code}' --noproxy '*' "
        + "http://127.0.0.1:18080/actuator/health; echo; curl -s -o /dev/null -w '%{http_code}' --noproxy '*' "
        + "-H 'Authorization: Bearer " + MASTER_KEY + "' http://127.0.0.1:18080/api/v1/tenants");
    assertThat(out.lines().toList()).containsExactly("404", "404", "404");
  }

  @Test
  void theInternetDirectly_fails() {
    String out = attack(world.attacker(), "curl -s -m 5 --noproxy '*' " + TestInternet.get().url("/")
        + " || echo unreachable");
    assertThat(out).contains("unreachable").doesNotContain(TestInternet.GREETING);
  }

  @Test
  void throughTheEgressProxy_hostsOffTheAllowlist_loopbackAndMetadata_fail() {
    String out = attack(world.attacker(), "for u in http://registry.npmjs.org/ http://127.0.0.1:5432/ "
        + "http://169.254.169.254/latest/meta-data/ http://127.0.0.1:" + port + "/api/v1/tenants "
        + TestInternet.get().url("/").replace(":80/", ":8080/") + "; do "
        + "curl -s -m 5 --noproxy '' -o /dev/null -w '%{http_code}\\n' $u; done");
    assertThat(out.lines().map(String::trim).toList()).containsOnly("403");
  }

  @Test
  void throughTheEgressProxy_aHostOnTheAllowlist_isReached_andLoggedForThatTenantOnly() {
    String out = attack(world.attacker(), "curl -s -m 10 " + TestInternet.get().url("/"));
    assertThat(out).isEqualTo(TestInternet.GREETING);
    JsonNode log = api.get("/api/v1/tenants/" + world.attacker().tenant().tenantId() + "/egress/connections",
        world.attacker().tenant().apiKey()).json().path("items");
    assertThat(log.valueStream().anyMatch(c -> c.path("allowed").asBoolean()
        && c.path("agentId").asString().equals(world.attacker().id()) && c.path("bytesIn").asLong() > 0)).isTrue();
    assertThat(api.get("/api/v1/tenants/" + world.victim().tenant().tenantId() + "/egress/connections",
        world.victim().tenant().apiKey()).json().path("items").valueStream()
        .noneMatch(c -> c.path("agentId").asString().equals(world.attacker().id()))).isTrue();
  }

  @Test
  void theVictimsAllowlist_isNotTheAttackers() {
    String out = attack(world.victim(), "curl -s -m 5 -o /dev/null -w '%{http_code}' " + TestInternet.get().url("/"));
    assertThat(out.trim()).isEqualTo("403");
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  private Agent deploy(String name) {
    SignedUp tenant = signUp(name);
    catalog.generousLimits(tenant.tenantId());
    Api.Response created = api.post("/api/v1/tenants/" + tenant.tenantId() + "/agents", tenant.apiKey(),
        Api.body("name", "agent", "runtime", "fake", "model", catalog.gpt));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.at("/id");
    String path = "/api/v1/tenants/" + tenant.tenantId() + "/agents/" + id;
    await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(api.get(path, tenant.apiKey()).at("/state")));
    return reload(new Agent(tenant, id, null, null, 0));
  }

  private Agent reload(Agent agent) {
    Placement placement = placement(agent.id());
    String token = DataScope.callAs(agent.tenantId(), () -> secrets.reveal(new SecretRef(gatewaySecret(agent.id()))));
    return new Agent(agent.tenant(), agent.id(), placement, token,
        Long.parseLong(placement.attributes().get(Placement.PEER_UID)));
  }

  private Placement placement(String id) {
    return Api.JSON.readValue(DataScope.callAsPlatform(() -> jdbc.sql("select placement from agents where id = :id")
        .param("id", UUID.fromString(id)).query(String.class).single()), Placement.class);
  }

  private UUID gatewaySecret(String id) {
    return DataScope.callAsPlatform(() -> jdbc.sql("select gateway_token from agents where id = :id")
        .param("id", UUID.fromString(id)).query(UUID.class).single());
  }

  private static Path hostDir(Agent agent) {
    return Path.of("target/reef-it-data").toAbsolutePath().resolve("agents").resolve(agent.tenant().tenantId())
        .resolve(agent.id());
  }

  private static String agentPath(Agent agent) {
    return "/api/v1/tenants/" + agent.tenant().tenantId() + "/agents/" + agent.id();
  }

  /** Runs a shell script inside the agent's sandbox, as the agent; returns what it printed. */
  private String attack(Agent agent, String script) {
    Placement current = placement(agent.id());
    try (AgentHttp.Streamed answer = http.post(current, "/debug/exec", Map.of("Content-Type", "text/plain",
        "Authorization", "Bearer " + reload(agent).gatewayToken()), script.getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(90))) {
      JsonNode result = Api.JSON.readTree(answer.body().readAllBytes());
      assertThat(answer.status()).as(result.toString()).isEqualTo(200);
      return result.path("output").asString();
    } catch (Exception e) {
      throw new AssertionError("could not run the attack in agent " + agent.id(), e);
    }
  }
}
