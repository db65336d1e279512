package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.ReefIT;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Session login for the dashboard: CSRF, session fixation, throttling and the audit trail, over real HTTP. */
@Tag("database-matrix")
class DashboardLoginIT extends ReefIT {

  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  /** A browser-like client: keeps cookies, does not follow redirects so the test sees them. */
  private final class Browser {
    final CookieManager cookies = new CookieManager();
    final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
        .followRedirects(HttpClient.Redirect.NEVER).build();

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(api.base() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> login(String email, String password, boolean withCsrf)
        throws IOException, InterruptedException {
      String page = get("/login").body();
      Matcher m = CSRF.matcher(page);
      assertThat(m.find()).as("login form carries a CSRF token").isTrue();
      String form = "email=" + enc(email) + "&password=" + enc(password) + (withCsrf ? "&_csrf=" + enc(m.group(1)) : "");
      return http.send(HttpRequest.newBuilder(URI.create(api.base() + "/login"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String sessionId() {
      return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
          .map(HttpCookie::getValue).findFirst().orElse(null);
    }
  }

  @Test
  void login_rightPassword_newSessionAndHomeShowsTenant() throws Exception {
    SignedUp t = signUp("Dashboard Login");
    Browser browser = new Browser();
    browser.get("/login");
    String before = browser.sessionId();

    HttpResponse<String> login = browser.login(t.email(), t.password(), true);
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/");
    assertThat(browser.sessionId()).as("session id changes at login").isNotNull().isNotEqualTo(before);
    HttpResponse<String> home = browser.get("/");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("Dashboard Login").contains(t.email());

    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    JsonNode success = events.valueStream().filter(e -> e.get("action").asString().equals("login.succeeded"))
        .findFirst().orElseThrow();
    assertThat(success.at("/actor/display").asString()).isEqualTo(t.email());
    assertThat(success.get("sourceAddress").asString()).isNotBlank();
  }

  @Test
  void login_withoutCsrfToken_refused() throws Exception {
    SignedUp t = signUp("No Csrf");
    HttpResponse<String> login = new Browser().login(t.email(), t.password(), false);
    assertThat(login.statusCode()).isEqualTo(403);
  }

  @Test
  void login_wrongPassword_redirectsWithError_andIsAudited() throws Exception {
    SignedUp t = signUp("Wrong Password");
    HttpResponse<String> login = new Browser().login(t.email(), "not-the-password", true);
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    assertThat(events.findValuesAsString("action")).contains("login.failed");
  }

  @Test
  void login_afterTooManyFailures_throttledEvenWithRightPassword() throws Exception {
    SignedUp t = signUp("Throttled");
    Browser browser = new Browser();
    for (int i = 0; i < 5; i++) {
      browser.login(t.email(), "guess-" + i + "-wrong", true);
    }
    HttpResponse<String> login = browser.login(t.email(), t.password(), true);
    assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/login?throttled");
    assertThat(browser.get("/").statusCode()).isEqualTo(302);
    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events?limit=50", t.apiKey()).json()
        .get("items");
    assertThat(events.findValues("reason").stream().map(JsonNode::asString)).contains("throttled");
  }

  @Test
  void login_operatorFromEnvironment() throws Exception {
    HttpResponse<String> login = new Browser().login("operator@reef.test", "operator-password-1", true);
    assertThat(login.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
  }

  @Test
  void dashboard_withoutSession_redirectsToLogin() throws Exception {
    HttpResponse<String> home = new Browser().get("/");
    assertThat(home.statusCode()).isEqualTo(302);
    assertThat(home.headers().firstValue("Location").orElseThrow()).endsWith("/login");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
