package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** {@code REEF_SANDBOX=none}: agents run unconfined, as asked, and the operator's health page says so plainly. */
@TestPropertySource(properties = "reef.sandbox.mode=none")
class UnsandboxedIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void agentsRunUnconfined_onALoopbackAddress_andTheHealthPageWarns() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("unconfined"));
    SignedUp t = signUp("Unconfined");
    catalog.generousLimits(t.tenantId());
    String agents = "/api/v1/tenants/" + t.tenantId() + "/agents";
    Response created = api.post(agents, t.apiKey(), Api.body("name", "a", "runtime", "fake", "model", catalog.gpt));
    assertThat(created.status()).isEqualTo(201);
    String id = created.at("/id");
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(api.get(agents + "/" + id, t.apiKey())
          .at("/state")));
      assertThat(api.get(agents + "/" + id, t.apiKey()).at("/address")).startsWith("http://127.");

      DashboardClient operator = new DashboardClient(api.base());
      operator.login("operator@reef.test", "operator-password-1");
      String page = operator.get("/operator/health").body();
      assertThat(page).contains("UNSANDBOXED").contains("AGENTS ARE NOT SANDBOXED").contains("WARNING");
    } finally {
      api.delete(agents + "/" + id, t.apiKey());
    }
  }
}
