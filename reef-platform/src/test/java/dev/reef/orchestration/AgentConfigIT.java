package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * An agent's configuration through the API: versioned changes that a running agent is restarted to apply (the
 * persona files land in its workspace), rollback to a version, refusals that name the field and leave the last good
 * configuration in force, and another tenant's agent out of reach.
 */
@Tag("database-matrix")
class AgentConfigIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();

  @Autowired
  JdbcClient jdbc;

  @Autowired
  org.springframework.transaction.support.TransactionTemplate tx;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void versionedChanges_appliedByARestart_rolledBack_badInputRefusedByName() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("cfg"));
    SignedUp tenant = signUp("Config Owner");
    SignedUp stranger = signUp("Config Stranger");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String id = api.post(agents, tenant.apiKey(), Api.body("name", "shaped", "runtime", FakeRuntime.NAME,
        "model", catalog.gpt)).at("/id");
    String config = agents + "/" + id + "/config";
    try {
      awaitRunning(agents + "/" + id, tenant.apiKey(), null);
      JsonNode initial = api.get(config, tenant.apiKey()).json();
      assertThat(initial.path("version").asInt()).isZero();
      assertThat(initial.at("/config/model").asString()).isEqualTo(catalog.gpt);
      assertThat(initial.at("/config/persona").size()).isZero();

      // A change: a new version, and the running agent restarts to apply it; the persona is in its workspace.
      String startedBefore = api.get(agents + "/" + id, tenant.apiKey()).at("/startedAt");
      Api.Response changed = api.patch(config, tenant.apiKey(), Map.of("persona", Map.of("SOUL.md",
          "You are Captain Reef."), "toolProfile", "coding", "toolsDeny", List.of("group:web"),
          "heartbeatEvery", "30m", "heartbeatModel", catalog.claude));
      assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
      assertThat(changed.json().path("version").asInt()).isEqualTo(1);
      assertThat(changed.json().path("applies").asString()).isEqualTo("restart");
      assertThat(changed.json().path("changed").valueStream().map(JsonNode::asString).toList())
          .containsExactly("persona", "toolProfile", "toolsDeny", "heartbeatEvery", "heartbeatModel");
      awaitRunning(agents + "/" + id, tenant.apiKey(), startedBefore);
      assertThat(Files.readString(workspace(id).resolve("SOUL.md"))).isEqualTo("You are Captain Reef.");

      // Refused, each naming what is wrong; the configuration stays at version 1.
      assertRefused(config, tenant, Map.of("gateway", Map.of("auth", "none")), "gateway");
      assertRefused(config, tenant, Map.of("model", "no-such-model"), "model");
      // the tests' limit is 16 KiB (REEF_AGENT_PERSONA_MAX_BYTES), under the API's body limit
      assertRefused(config, tenant, Map.of("persona", Map.of("SOUL.md", "x".repeat(20_000))), "persona.SOUL.md");
      assertRefused(config, tenant, Map.of("persona", Map.of("../escape.md", "x")), "persona");
      assertRefused(config, tenant, Map.of("heartbeatEvery", "10s"), "heartbeatEvery");
      assertRefused(config, tenant, Map.of("toolProfile", "root"), "toolProfile");
      assertRefused(config, tenant, Map.of("toolsAllow", List.of("rm -rf /")), "toolsAllow");
      assertThat(api.get(config, tenant.apiKey()).json().path("version").asInt()).isEqualTo(1);

      // The same settings again change nothing.
      Api.Response same = api.patch(config, tenant.apiKey(), Map.of("toolProfile", "coding"));
      assertThat(same.json().path("applies").asString()).isEqualTo("none");
      assertThat(same.json().path("version").asInt()).isEqualTo(1);

      // Another version, then back to the first: a new version with the first one's settings.
      api.patch(config, tenant.apiKey(), Map.of("persona", Map.of("SOUL.md", "You are Admiral Reef.")));
      assertThat(api.get(config + "/versions", tenant.apiKey()).json().path("items").valueStream()
          .map(v -> v.path("version").asInt()).toList()).containsExactly(2, 1);
      awaitRunning(agents + "/" + id, tenant.apiKey(), null);
      String startedAt = api.get(agents + "/" + id, tenant.apiKey()).at("/startedAt");
      Api.Response back = api.post(config + "/versions/1/rollback", tenant.apiKey(), null);
      assertThat(back.status()).as(back.toString()).isEqualTo(200);
      assertThat(back.json().path("version").asInt()).isEqualTo(3);
      assertThat(back.json().at("/config/persona/SOUL.md").asString()).isEqualTo("You are Captain Reef.");
      awaitRunning(agents + "/" + id, tenant.apiKey(), startedAt);
      assertThat(Files.readString(workspace(id).resolve("SOUL.md"))).isEqualTo("You are Captain Reef.");
      assertThat(api.post(config + "/versions/99/rollback", tenant.apiKey(), null).status()).isEqualTo(404);

      // Another tenant's agent: not found, whatever the method.
      assertThat(api.get(config, stranger.apiKey()).status()).isEqualTo(404);
      assertThat(api.patch(config, stranger.apiKey(), Map.of("toolProfile", "minimal")).status()).isEqualTo(404);
      assertThat(api.get(config + "/versions", stranger.apiKey()).status()).isEqualTo(404);
      assertThat(api.post(config + "/versions/1/rollback", stranger.apiKey(), null).status()).isEqualTo(404);
      assertThat(api.get(config, tenant.apiKey()).json().path("version").asInt()).isEqualTo(3);
    } finally {
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  @Test
  void aConfigurationThatDoesNotStart_isRolledBack_andTheEventsSaySo() {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("cfgrb"));
    SignedUp tenant = signUp("Config Rollback");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String id = api.post(agents, tenant.apiKey(), Api.body("name", "fragile", "runtime", FakeRuntime.NAME,
        "model", catalog.gpt)).at("/id");
    String config = agents + "/" + id + "/config";
    try {
      awaitRunning(agents + "/" + id, tenant.apiKey(), null);
      String started = api.get(agents + "/" + id, tenant.apiKey()).at("/startedAt");
      api.patch(config, tenant.apiKey(), Map.of("persona", Map.of("SOUL.md", "A good soul.")));
      awaitRunning(agents + "/" + id, tenant.apiKey(), started); // version 1 started: it is good

      started = api.get(agents + "/" + id, tenant.apiKey()).at("/startedAt");
      Api.Response bad = api.patch(config, tenant.apiKey(), Map.of("persona", Map.of("SOUL.md",
          "A soul that does not start: " + FakeRuntime.CRASH_ON_START)));
      assertThat(bad.json().path("version").asInt()).isEqualTo(2);
      // the start fails, version 1's settings come back as version 3, and the next start runs on them
      awaitRunning(agents + "/" + id, tenant.apiKey(), started);
      JsonNode now = api.get(config, tenant.apiKey()).json();
      assertThat(now.path("version").asInt()).isEqualTo(3);
      assertThat(now.at("/config/persona/SOUL.md").asString()).isEqualTo("A good soul.");
      assertThat(now.path("updatedBy").asString()).contains("rolled back");
      assertThat(api.get(agents + "/" + id + "/events?limit=50", tenant.apiKey()).text())
          .contains("configuration version 2 did not start; its settings were rolled back to version 1's "
              + "(now version 3)");
    } finally {
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  private void assertRefused(String config, SignedUp tenant, Map<String, Object> body, String field) {
    Api.Response refused = api.patch(config, tenant.apiKey(), body);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
    assertThat(refused.at("/detail")).as(refused.toString()).startsWith(field + ":");
  }

  /** Running, and (when {@code startedBefore} is given) started again since. */
  private void awaitRunning(String agent, String key, String startedBefore) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      Api.Response a = api.get(agent, key);
      return "running".equals(a.at("/state"))
          && (startedBefore == null || !startedBefore.equals(a.at("/startedAt")));
    });
  }

  /** The agent's workspace as this machine sees it. */
  private Path workspace(String id) {
    String text = dev.reef.common.DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql(
        "select placement from agents where id = :id").param("id", java.util.UUID.fromString(id))
        .query(String.class).single()));
    JsonNode placement = Api.JSON.readTree(text);
    Path agentDir = Path.of("target/reef-it-data").toAbsolutePath().resolve("agents")
        .resolve(placement.at("/tenantId/value").asString()).resolve(id);
    return "bubblewrap".equals(placement.path("attributes").path("sandbox").asString())
        ? agentDir.resolve("fs").resolve("workspace") : Path.of(placement.path("paths").path("workspace").asString());
  }
}
