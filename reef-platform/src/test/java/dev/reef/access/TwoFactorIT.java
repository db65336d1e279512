package dev.reef.access;

import static dev.reef.testing.AuthenticatorApp.code;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestClock;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Two-factor login as a person uses it in the dashboard, with codes computed as an authenticator app computes them:
 * set up (a wrong code refused), then every login needs a code after the password; a code is good once, a
 * recovery code too; wrong codes are throttled; turning it off needs the password and a code.
 */
class TwoFactorIT extends ReefIT {

  private static final Pattern SECRET = Pattern.compile("data-enrol-secret>([A-Z2-7 ]+)<");
  private static final Pattern RECOVERY = Pattern.compile("<code>([a-z2-9]{5}-[a-z2-9]{5})</code>");

  @Autowired
  TestClock clock;

  @Test
  void setUp_thenLoginsNeedACode_eachCodeOnce_recoveryCodesOnce_throttled_thenOff() {
    SignedUp t = signUp("Two Factor Owner");
    String home = "/t/" + t.tenantId();
    DashboardClient me = loggedIn(t);

    // Set up: a QR code and the key; a code that is not the current one is refused, the current one turns it on.
    me.get("/account");
    assertThat(me.post("/account/two-factor/setup", Map.of()).statusCode()).isEqualTo(302);
    String page = me.get("/account").body();
    assertThat(page).contains("<svg").contains("data-two-factor=\"off\"");
    Matcher m = SECRET.matcher(page);
    assertThat(m.find()).as(page).isTrue();
    String secret = m.group(1).replace(" ", "");
    long period = 30;
    long now = clock.instant().getEpochSecond() / period;
    me.post("/account/two-factor/enable", Map.of("code", code(secret, now + 20)));
    assertThat(me.get("/account").body()).contains("Code: is not the code your app shows now")
        .contains("data-two-factor=\"off\"");
    me.post("/account/two-factor/enable", Map.of("code", code(secret, now)));
    page = me.get("/account").body();
    assertThat(page).contains("data-two-factor=\"on\"").contains("10 recovery codes left");
    List<String> recovery = new ArrayList<>();
    for (Matcher r = RECOVERY.matcher(page); r.find(); ) {
      recovery.add(r.group(1));
    }
    assertThat(recovery).hasSize(TwoFactor.RECOVERY_CODES).doesNotHaveDuplicates();
    assertThat(me.get("/account").body()).as("recovery codes are shown once").doesNotContain(recovery.get(0));

    // The password alone no longer signs in: the session waits for a code.
    DashboardClient next = new DashboardClient(api.base());
    HttpResponse<String> password = next.login(t.email(), t.password());
    assertThat(password.headers().firstValue("Location").orElseThrow()).endsWith("/login/code");
    assertThat(next.get(home).statusCode()).as("not signed in yet").isEqualTo(302);
    assertThat(next.get("/login").headers().firstValue("Location").orElseThrow()).endsWith("/login/code");
    assertThat(next.get("/login/code").body()).contains(t.email());
    // the code that turned it on is spent; the next one (30 s later, within the drift allowed) works
    HttpResponse<String> replayed = next.post("/login/code", Map.of("code", code(secret, now)));
    assertThat(replayed.statusCode()).isEqualTo(400);
    assertThat(replayed.body()).contains("not the code your app shows now");
    HttpResponse<String> signedIn = next.post("/login/code", Map.of("code", code(secret, now + 1)));
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    assertThat(next.get(home).statusCode()).isEqualTo(200);

    // A recovery code signs in once.
    DashboardClient lostPhone = new DashboardClient(api.base());
    lostPhone.login(t.email(), t.password());
    lostPhone.get("/login/code");
    assertThat(lostPhone.post("/login/code", Map.of("code", recovery.get(0).toUpperCase(Locale.ROOT)))
        .statusCode()).isEqualTo(302);
    assertThat(lostPhone.get(home).statusCode()).isEqualTo(200);
    DashboardClient again = new DashboardClient(api.base());
    again.login(t.email(), t.password());
    again.get("/login/code");
    assertThat(again.post("/login/code", Map.of("code", recovery.get(0))).statusCode()).isEqualTo(400);

    // Guessing is throttled like passwords: after a few wrong codes, even a right one waits.
    int status = 0;
    for (int i = 0; i < 10 && status != 429; i++) {
      again.get("/login/code");
      status = again.post("/login/code", Map.of("code", "000000".equals(code(secret, now + 2)) ? "111111"
          : "000000")).statusCode();
    }
    assertThat(status).isEqualTo(429);
    again.get("/login/code");
    assertThat(again.post("/login/code", Map.of("code", recovery.get(1))).statusCode()).isEqualTo(429);
    assertThat(again.get(home).statusCode()).isEqualTo(302);

    // Off: the password and a code are asked for; then the password alone signs in again.
    me.get("/account");
    me.post("/account/two-factor/disable", Map.of("password", "wrong-password-123", "code", recovery.get(2)));
    assertThat(me.get("/account").body()).contains("Password: is not your password")
        .contains("data-two-factor=\"on\"");
    me.post("/account/two-factor/disable", Map.of("password", t.password(), "code", recovery.get(2)));
    assertThat(me.get("/account").body()).contains("Two-factor login is off").contains("data-two-factor=\"off\"");
    DashboardClient plain = new DashboardClient(api.base());
    assertThat(plain.login(t.email(), t.password()).headers().firstValue("Location").orElseThrow())
        .doesNotContain("/login");
    assertThat(plain.get(home).statusCode()).isEqualTo(200);
  }

  private DashboardClient loggedIn(SignedUp t) {
    DashboardClient client = new DashboardClient(api.base());
    assertThat(client.login(t.email(), t.password()).statusCode()).isEqualTo(302);
    return client;
  }
}
