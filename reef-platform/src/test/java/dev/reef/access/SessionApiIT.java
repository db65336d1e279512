package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The REST API with a dashboard session instead of an API key: the signed-in operator reaches the operator API, a
 * tenant's person their own tenant only; a change needs the session's CSRF token; no session is still 401.
 */
class SessionApiIT extends ReefIT {

  @Test
  void theOperatorsSession_callsTheOperatorApi_withItsCsrfTokenForChanges() {
    DashboardClient operator = new DashboardClient(api.base());
    assertThat(operator.login("operator@reef.test", "operator-password-1").statusCode()).isEqualTo(302);
    operator.get("/operator/api-keys");

    assertThat(operator.api("GET", "/api/v1/plans", null, false).statusCode()).isEqualTo(200);
    HttpResponse<String> noToken = operator.api("POST", "/api/v1/operator/api-keys", "{\"name\":\"from-session\"}",
        false);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("X-CSRF-TOKEN");
    HttpResponse<String> created = operator.api("POST", "/api/v1/operator/api-keys",
        "{\"name\":\"from-session\"}", true);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.body()).contains("reef_op_");

    operator.post("/logout", java.util.Map.of());
    assertThat(operator.api("GET", "/api/v1/plans", null, false).statusCode()).as("signed out").isEqualTo(401);
  }

  @Test
  void aTenantsPersonsSession_reachesTheirTenantOnly() {
    SignedUp mine = signUp("Session Api Mine");
    SignedUp theirs = signUp("Session Api Theirs");
    DashboardClient me = new DashboardClient(api.base());
    me.login(mine.email(), mine.password());
    me.get("/t/" + mine.tenantId());

    assertThat(me.api("GET", "/api/v1/tenants/" + mine.tenantId() + "/agents", null, false).statusCode())
        .isEqualTo(200);
    assertThat(me.api("GET", "/api/v1/tenants/" + theirs.tenantId() + "/agents", null, false).statusCode())
        .isEqualTo(404);
    assertThat(me.api("POST", "/api/v1/operator/api-keys", "{\"name\":\"sneaky\"}", true).statusCode())
        .isEqualTo(403);
    assertThat(new DashboardClient(api.base()).api("GET", "/api/v1/tenants/" + mine.tenantId() + "/agents", null,
        false).statusCode()).as("no session, no key").isEqualTo(401);
  }
}
