package dev.reef.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A person's own account: changing the password (checked, policed, other sessions signed out) and signing out elsewhere. */
@Tag("database-matrix")
class AccountPagesIT extends ReefIT {

  @Test
  void changingThePassword_checksTheOldOne_appliesThePolicy_andSignsOutEveryOtherSession() {
    SignedUp t = signUp("Account Owner");
    DashboardClient here = loggedIn(t.email(), t.password());
    DashboardClient elsewhere = loggedIn(t.email(), t.password());
    assertThat(here.get("/account").body()).contains("You are signed in 2 times").contains(t.email());

    post(here, "/account/password", Map.of("currentPassword", "not-my-password-1", "newPassword",
        "lantern-orbit-cactus", "confirmPassword", "lantern-orbit-cactus"));
    assertThat(here.get("/account").body()).contains("Current password: is not your current password");

    post(here, "/account/password", Map.of("currentPassword", t.password(), "newPassword", "Password123!",
        "confirmPassword", "Password123!"));
    assertThat(here.get("/account").body()).contains("New password: is one of the most common passwords");

    post(here, "/account/password", Map.of("currentPassword", t.password(), "newPassword",
        "lantern-orbit-cactus", "confirmPassword", "lantern-orbit-cactu"));
    assertThat(here.get("/account").body()).contains("the two entries differ");

    post(here, "/account/password", Map.of("currentPassword", t.password(), "newPassword",
        "lantern-orbit-cactus", "confirmPassword", "lantern-orbit-cactus"));
    assertThat(here.get("/account").body()).contains("Your password was changed");
    assertThat(here.get("/t/" + t.tenantId()).statusCode()).as("this session stays").isEqualTo(200);
    assertThat(elsewhere.get("/t/" + t.tenantId()).statusCode()).as("the other one is signed out").isEqualTo(302);

    assertThat(new DashboardClient(api.base()).login(t.email(), t.password()).headers().firstValue("Location")
        .orElse("")).as("the old password no longer works").contains("error");
    loggedIn(t.email(), "lantern-orbit-cactus");
  }

  @Test
  void signOutEverywhereElse_endsTheOtherSessions_keepsThisOne() {
    SignedUp t = signUp("Account Sessions");
    DashboardClient here = loggedIn(t.email(), t.password());
    DashboardClient phone = loggedIn(t.email(), t.password());
    DashboardClient laptop = loggedIn(t.email(), t.password());
    here.get("/account");
    post(here, "/account/sign-out-elsewhere", Map.of());
    assertThat(here.get("/account").body()).contains("Signed out 2 other sessions").contains("signed in here only");
    assertThat(phone.get("/t/" + t.tenantId()).statusCode()).isEqualTo(302);
    assertThat(laptop.get("/t/" + t.tenantId()).statusCode()).isEqualTo(302);
    assertThat(here.get("/t/" + t.tenantId()).statusCode()).isEqualTo(200);
  }

  @Test
  void theSessionsAreListed_andOneCanBeSignedOut() {
    SignedUp t = signUp("Account Session List");
    DashboardClient here = loggedIn(t.email(), t.password());
    DashboardClient phone = loggedIn(t.email(), t.password());
    String page = here.get("/account").body();
    assertThat(page).contains("this one").contains("Java HTTP client").contains("from 127.0.0.1");
    java.util.regex.Matcher refs = java.util.regex.Pattern.compile("data-session=\"([0-9a-f]{20})\"").matcher(page);
    java.util.List<String> listed = new java.util.ArrayList<>();
    while (refs.find()) {
      listed.add(refs.group(1));
    }
    assertThat(listed).hasSize(2);
    assertThat(page).as("no session id in the page").doesNotContain(phone.sessionId()).doesNotContain(here.sessionId());
    // the one without "this one" is the phone's: the current session is listed first
    post(here, "/account/sessions/" + listed.get(1) + "/sign-out", Map.of());
    assertThat(here.get("/account").body()).contains("That session was signed out").contains("signed in here only");
    assertThat(phone.get("/t/" + t.tenantId()).statusCode()).isEqualTo(302);
    assertThat(here.get("/t/" + t.tenantId()).statusCode()).isEqualTo(200);
    post(here, "/account/sessions/" + listed.get(1) + "/sign-out", Map.of());
    assertThat(here.get("/account").body()).contains("That session had already ended");
  }

  @Test
  void changingTheEmail_checksThePasswordAndTheAddress_thenTheNewOneLogsIn() {
    SignedUp t = signUp("Account Email");
    SignedUp other = signUp("Account Email Other");
    DashboardClient here = loggedIn(t.email(), t.password());
    DashboardClient elsewhere = loggedIn(t.email(), t.password());
    String fresh = "renamed-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.test";

    post(here, "/account/email", Map.of("email", fresh, "password", "not-my-password-1"));
    assertThat(here.get("/account").body()).contains("Password: is not your password");
    post(here, "/account/email", Map.of("email", "not an address", "password", t.password()));
    assertThat(here.get("/account").body()).contains("New email: must be an email address");
    post(here, "/account/email", Map.of("email", other.email().toUpperCase(), "password", t.password()));
    assertThat(here.get("/account").body()).contains("Another account uses " + other.email());

    post(here, "/account/email", Map.of("email", "  " + fresh.toUpperCase() + " ", "password", t.password()));
    String page = here.get("/account").body();
    assertThat(page).contains("Your email is now " + fresh).contains(">" + fresh + "<");
    assertThat(here.get("/t/" + t.tenantId()).statusCode()).as("this session stays, as the new address")
        .isEqualTo(200);
    assertThat(elsewhere.get("/t/" + t.tenantId()).statusCode()).as("the others are signed out").isEqualTo(302);
    assertThat(new DashboardClient(api.base()).login(t.email(), t.password()).headers().firstValue("Location")
        .orElse("")).as("the old address no longer logs in").contains("error");
    loggedIn(fresh, t.password());
  }

  private DashboardClient loggedIn(String email, String password) {
    DashboardClient browser = new DashboardClient(api.base());
    HttpResponse<String> login = browser.login(email, password);
    assertThat(login.headers().firstValue("Location").orElse("")).as("logged in").doesNotContain("error");
    return browser;
  }

  private static void post(DashboardClient browser, String path, Map<String, String> form) {
    browser.get("/account"); // a fresh CSRF token
    HttpResponse<String> response = browser.post(path, form);
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(302);
  }
}
