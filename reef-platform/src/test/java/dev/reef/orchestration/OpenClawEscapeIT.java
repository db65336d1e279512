package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.RequiredService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An attack the way a real one goes: a tenant's user asks its OpenClaw agent something, the model (a mock provider
 * behind Reef's proxy) answers with a call of OpenClaw's own {@code exec} tool, and OpenClaw runs the attacker's
 * shell command inside its sandbox. The command's output, which OpenClaw sends back to the model, shows every
 * attempt failing.
 */
class OpenClawEscapeIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();

  @BeforeAll
  static void needsNpm() {
    RequiredService.requireNpm();
  }

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void anAttackThroughOpenClawsExecTool_failsInsideTheSandbox() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("clawescape"));
    SignedUp tenant = signUp("Claw Attacker");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    Path data = Path.of("target/reef-it-data").toAbsolutePath();
    String attack = String.join("; ",
        "echo uid=$(id -u)",
        "cat " + data.resolve("secrets/master.keys") + " 2>&1",
        "ls " + data + " 2>&1",
        "cat /proc/" + ProcessHandle.current().pid() + "/environ 2>&1 | head -c 300",
        "bash -c '(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && echo PG-OPEN || echo pg-closed'",
        "bash -c '(exec 3<>/dev/tcp/127.0.0.1/" + port + ") 2>/dev/null && echo REEF-OPEN || echo reef-closed'",
        "curl -s -m 5 --noproxy '' -o /dev/null -w 'egress %{http_code}\\n' http://registry.npmjs.org/",
        "echo ATTACK-DONE");
    UPSTREAM.reset();
    UPSTREAM.reply("The check is done.");
    UPSTREAM.callToolOnce("exec", Api.JSON.writeValueAsString(Map.of("command", attack)));

    Response created = api.post(agents, tenant.apiKey(), Api.body("name", "claw", "runtime", "openclaw",
        "model", catalog.gpt));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.at("/id");
    try {
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        Response agent = api.get(agents + "/" + id, tenant.apiKey());
        assertThat(agent.at("/state")).as(agent.toString()).isNotIn("failed");
        return "running".equals(agent.at("/state"));
      });

      String result = "";
      for (int attempt = 1; attempt <= 2; attempt++) {
        if (attempt > 1) {
          // OpenClaw lost the first run's tool result (on a loaded machine it has answered with its own
          // "transcript repair" placeholder): the attack is run again, so the checks below see a real result
          UPSTREAM.reset();
          UPSTREAM.reply("The check is done.");
          UPSTREAM.callToolOnce("exec", Api.JSON.writeValueAsString(Map.of("command", attack)));
        }
        chat(agents + "/" + id + "/chat", tenant.apiKey(), "Please run the system check.");
        // the chat's answer may end before OpenClaw has sent the tool's result on (seen on a loaded machine)
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
            .until(() -> UPSTREAM.toolResult().isPresent());
        result = UPSTREAM.toolResult().orElseThrow();
        if (!result.contains("missing tool result in session history")) {
          break;
        }
      }
      assertThat(result).contains("ATTACK-DONE", "No such file or directory", "pg-closed", "reef-closed",
          "egress 403").doesNotContain("uid=0").doesNotContain(MASTER_KEY).doesNotContain("PG-OPEN")
          .doesNotContain("REEF-OPEN");
      if (Files.exists(data.resolve("secrets/master.keys"))) {
        for (String line : Files.readAllLines(data.resolve("secrets/master.keys"))) {
          if (line.length() > 20) {
            assertThat(result).doesNotContain(line.trim());
          }
        }
      }
      // OpenClaw's bundled "reef" channel found nothing of ours to configure itself from
      Response logs = api.send("GET", agents + "/" + id + "/logs?tail=2000", tenant.apiKey(), null,
          Map.of("Accept", "text/plain"));
      assertThat(logs.text()).doesNotContain("suppressed ambient channel auto-configuration");
    } finally {
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  private void chat(String path, String key, String message) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofMinutes(3))
        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(Map.of("message", message))))
        .build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }
}
