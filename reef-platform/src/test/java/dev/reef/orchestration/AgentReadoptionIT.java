package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.LeftoverAgents;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.StandaloneReef;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping Reef leaves its agents running; the next Reef adopts them instead of starting them again. */
class AgentReadoptionIT {

  @TempDir
  Path dataDir;

  @Test
  void reefRestart_agentKeepsRunning_andIsAdopted() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // the same port for both Reefs: the agent keeps calling the proxy there
    }
    Map<String, Object> properties = Map.of("server.port", port, "reef.agents.reconcile-interval", "500ms");
    try (MockUpstream upstream = new MockUpstream(); StandaloneReef reef = new StandaloneReef(dataDir)) {
      reef.start(properties);
      Api api = reef.api();
      GatewayFixture catalog = new GatewayFixture(api, upstream, "readopt");
      Response signup = api.post("/api/v1/signup", null, Api.body("email", "readopt@example.test",
          "password", "readoption-password", "tenantName", "Readopt"));
      String tenant = signup.at("/tenantId");
      String key = signup.at("/apiKey");
      catalog.generousLimits(tenant);
      String agents = "/api/v1/tenants/" + tenant + "/agents";
      String id = api.post(agents, key, Api.body("name", "survivor", "runtime", "fake", "model", catalog.gpt))
          .at("/id");
      await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(api.get(agents + "/" + id, key)
          .at("/state")));
      String startedAt = api.get(agents + "/" + id, key).at("/startedAt");

      reef.stop();
      long pid = agentPid(reef, tenant, id);
      assertThat(ProcessHandle.of(pid)).as("the agent outlives Reef").isPresent();

      reef.start(properties);
      Api again = reef.api();
      Thread.sleep(2000); // several reconciler passes
      Response agent = again.get(agents + "/" + id, key);
      assertThat(agent.at("/state")).isEqualTo("running");
      assertThat(agent.at("/startedAt")).as("adopted, not restarted").isEqualTo(startedAt);
      assertThat(ProcessHandle.of(pid)).isPresent();
      List<String> states = again.get(agents + "/" + id + "/events", key).json().path("items")
          .findValuesAsString("state");
      assertThat(states).doesNotContain("crashed", "stopping");

      // and it still works: its token for the proxy survived the restart with it
      Response chat = again.post("/v1/chat/completions", null, "{}");
      assertThat(chat.status()).isEqualTo(401);
    } finally {
      LeftoverAgents.kill(dataDir);
    }
  }

  private static long agentPid(StandaloneReef reef, String tenant, String agent) throws Exception {
    Path pidFile = reef.dataDir().resolve("agents").resolve(tenant).resolve(agent).resolve("run").resolve("agent.pid");
    return Long.parseLong(java.nio.file.Files.readString(pidFile).trim());
  }
}
