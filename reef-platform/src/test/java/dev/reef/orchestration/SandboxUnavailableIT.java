package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * No silent downgrade: on a machine where the sandbox cannot be made (here: bubblewrap is not where it is said to
 * be), Reef still serves its API and LLM proxy, but refuses to deploy or start agents, saying what to install, and
 * its health page says why.
 */
@TestPropertySource(properties = "reef.sandbox.bwrap=/no/such/dir/bwrap")
class SandboxUnavailableIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void deploy_isRefusedWithAProblemSayingWhatToInstall_andNoAgentIsMade() {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("unboxable"));
    SignedUp t = signUp("Unboxable");
    String agents = "/api/v1/tenants/" + t.tenantId() + "/agents";

    Response refused = api.post(agents, t.apiKey(), Api.body("name", "a", "runtime", "fake", "model", catalog.gpt));

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.at("/type")).isEqualTo("urn:reef:problem:sandbox-unavailable");
    assertThat(refused.at("/detail")).contains("/no/such/dir/bwrap").contains("apt-get install bubblewrap");
    assertThat(api.get(agents, t.apiKey()).json().path("items").size()).isZero();
  }

  @Test
  void theHealthPage_saysAgentsCannotRun() throws Exception {
    DashboardClient operator = new DashboardClient(api.base());
    operator.login("operator@reef.test", "operator-password-1");

    String page = operator.get("/operator/health").body();

    assertThat(page).contains("AGENTS_UNAVAILABLE").contains("WARNING").contains("/no/such/dir/bwrap");
  }
}
