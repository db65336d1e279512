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
