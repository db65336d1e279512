package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Session login for the dashboard: CSRF, session fixation, throttling and the audit trail, over real HTTP. */
@Tag("database-matrix")
class DashboardLoginIT extends ReefIT {

  private DashboardClient browser() {
    return new DashboardClient(api.base());
  }

  @Test
  void login_rightPassword_newSessionAndHomeShowsTenant() throws Exception {
    SignedUp t = signUp("Dashboard Login");
    DashboardClient browser = browser();
    browser.get("/login");
    String before = browser.sessionId();

    HttpResponse<String> login = browser.login(t.email(), t.password());
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/");
    assertThat(browser.sessionId()).as("session id changes at login").isNotNull().isNotEqualTo(before);
    HttpResponse<String> home = browser.get("/");
    assertThat(home.statusCode()).as("one tenant: straight to it").isEqualTo(302);
    assertThat(home.headers().firstValue("Location").orElseThrow()).endsWith("/t/" + t.tenantId());
    HttpResponse<String> tenantHome = browser.get("/t/" + t.tenantId());
    assertThat(tenantHome.statusCode()).isEqualTo(200);
    assertThat(tenantHome.body()).contains("Dashboard Login").contains(t.email());
    String slug = api.get("/api/v1/tenants/" + t.tenantId(), t.apiKey()).at("/slug");
    assertThat(tenantHome.body()).as("names may repeat; the switcher shows the slug too")
        .contains("class=\"muted small slug\">" + slug + "<");

    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    JsonNode success = events.valueStream().filter(e -> e.get("action").asString().equals("login.succeeded"))
        .findFirst().orElseThrow();
    assertThat(success.at("/actor/display").asString()).isEqualTo(t.email());
    assertThat(success.get("sourceAddress").asString()).isNotBlank();
  }

  @Test
  void login_withoutCsrfToken_refused() throws Exception {
    SignedUp t = signUp("No Csrf");
    DashboardClient browser = browser();
    browser.get("/login");
    HttpResponse<String> login = browser.postRaw("/login", Map.of("email", t.email(), "password", t.password()));
    assertThat(login.statusCode()).isEqualTo(403);
  }

  @Test
  void login_wrongPassword_redirectsWithError_andIsAudited() throws Exception {
    SignedUp t = signUp("Wrong Password");
    HttpResponse<String> login = browser().login(t.email(), "not-the-password");
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    assertThat(events.findValuesAsString("action")).contains("login.failed");
  }

  /** The configured number (5) is exact: each failure counts once, the 5th still answers "wrong password". */
  @Test
  void login_fourFailures_rightPasswordStillWorks() throws Exception {
    SignedUp t = signUp("Four Failures");
    DashboardClient browser = browser();
    for (int i = 0; i < 4; i++) {
      assertThat(browser.login(t.email(), "guess-" + i + "-wrong").headers().firstValue("Location").orElseThrow())
          .endsWith("/login?error");
    }
    assertThat(browser.login(t.email(), t.password()).headers().firstValue("Location").orElseThrow())
        .doesNotContain("error").doesNotContain("throttled");
  }

  @Test
  void login_afterFiveFailures_throttledEvenWithRightPassword() throws Exception {
    SignedUp t = signUp("Throttled");
    DashboardClient browser = browser();
    for (int i = 0; i < 5; i++) {
      assertThat(browser.login(t.email(), "guess-" + i + "-wrong").headers().firstValue("Location").orElseThrow())
          .as("failure %d of 5 is still checked", i + 1).endsWith("/login?error");
    }
    HttpResponse<String> login = browser.login(t.email(), t.password());
    assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/login?throttled");
    assertThat(browser.get("/").statusCode()).isEqualTo(302);
    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events?limit=50", t.apiKey()).json()
        .get("items");
    assertThat(events.findValues("reason").stream().map(JsonNode::asString)).contains("throttled");
  }

  /**
   * A guesser cannot lock the owner out: failures count per account and client address. The guesser connects from
   * 127.0.0.2 (another loopback address; Linux has all of 127/8 on lo), the owner from 127.0.0.1.
   */
  @Test
  void login_guesserOnAnotherAddress_ownerStillLogsIn() throws Exception {
    SignedUp t = signUp("Not Locked Out");
    DashboardClient guesser = new DashboardClient("http://127.0.0.1:" + port,
        java.net.InetAddress.getByName("127.0.0.2"));
    Assumptions.assumeTrue(reachable(guesser), "127.0.0.2 does not reach this host (not Linux?)");
    for (int i = 0; i < 8; i++) {
      guesser.login(t.email(), "guess-" + i + "-wrong");
    }
    assertThat(guesser.login(t.email(), t.password()).headers().firstValue("Location").orElseThrow())
        .as("the guessing address is throttled").endsWith("/login?throttled");
    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events?limit=50", t.apiKey()).json()
        .get("items");
    assertThat(events.findValuesAsString("sourceAddress")).as("the guesser is seen as another client")
        .contains("127.0.0.2");

    DashboardClient owner = new DashboardClient("http://127.0.0.1:" + port);
    assertThat(owner.login(t.email(), t.password()).headers().firstValue("Location").orElseThrow())
        .as("the owner's own address keeps working").doesNotContain("error").doesNotContain("throttled");
    assertThat(owner.get("/t/" + t.tenantId()).statusCode()).isEqualTo(200);
  }

  private static boolean reachable(DashboardClient client) {
    try {
      return client.get("/login").statusCode() == 200;
    } catch (RuntimeException e) {
      if (System.getenv("CI") != null) {
        throw e;
      }
      return false;
    }
  }

  @Test
  void login_operatorFromEnvironment() throws Exception {
    HttpResponse<String> login = browser().login("operator@reef.test", "operator-password-1");
    assertThat(login.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
  }

  @Test
  void dashboard_withoutSession_redirectsToLogin() throws Exception {
    HttpResponse<String> home = browser().get("/");
    assertThat(home.statusCode()).isEqualTo(302);
    assertThat(home.headers().firstValue("Location").orElseThrow()).endsWith("/login");
  }
}
