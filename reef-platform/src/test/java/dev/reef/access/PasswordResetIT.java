package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestSmtpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * "Forgot your password": a single-use link by email (to a local SMTP server) on REEF_PUBLIC_URL, the same answer for
 * an address without an account, the policy on the new password, everyone signed out, and a limit on requests.
 */
class PasswordResetIT extends ReefIT {

  private static final TestSmtpServer SMTP = new TestSmtpServer();
  private static final Pattern LINK = Pattern.compile("(https?://\\S+/reset-password\\?token=(\\S+))");

  @DynamicPropertySource
  static void mail(DynamicPropertyRegistry registry) {
    registry.add("reef.mail.smtp-host", () -> "127.0.0.1");
    registry.add("reef.mail.smtp-port", SMTP::port);
    registry.add("reef.mail.smtp-starttls", () -> "false");
    registry.add("reef.public-url", () -> "http://reef.example.test");
  }

  @AfterAll
  static void stopSmtp() throws Exception {
    SMTP.close();
  }

  @Test
  void aLinkByEmail_setsANewPassword_once_andSaysNothingAboutUnknownAddresses() {
    SignedUp t = signUp("Reset Owner");
    DashboardClient visitor = new DashboardClient(api.base());
    assertThat(visitor.get("/login").body()).contains("Forgot your password?");
    String sent = ask(visitor, t.email());
    assertThat(sent).contains("If an account uses that address");
    await().atMost(Duration.ofSeconds(10)).until(() -> mailsTo(t.email()) == 1);
    String mail = SMTP.received().stream().filter(m -> m.to().contains(t.email())).findFirst().orElseThrow().text();
    Matcher link = LINK.matcher(mail);
    assertThat(link.find()).as(mail).isTrue();
    assertThat(link.group(1)).as("on REEF_PUBLIC_URL, never the request's Host")
        .startsWith("http://reef.example.test/reset-password?token=");
    String token = link.group(2);

    int before = SMTP.received().size();
    assertThat(withoutToken(ask(visitor, "nobody-" + t.email()))).as("the same page for an address without an account")
        .isEqualTo(withoutToken(sent));
    assertThat(SMTP.received()).hasSize(before);

    DashboardClient elsewhere = new DashboardClient(api.base());
    assertThat(elsewhere.login(t.email(), t.password()).headers().firstValue("Location").orElse(""))
        .doesNotContain("error");
    assertThat(visitor.get("/reset-password?token=" + token).body()).contains("Choose a new password")
        .contains("name=\"newPassword\"");
    HttpResponse<String> weak = visitor.post("/reset-password", Map.of("token", token, "newPassword",
        "Password123!", "confirmPassword", "Password123!"));
    assertThat(weak.body()).contains("New password: is one of the most common passwords");
    visitor.get("/reset-password?token=" + token);
    HttpResponse<String> done = visitor.post("/reset-password", Map.of("token", token, "newPassword",
        "harbor-violet-compass", "confirmPassword", "harbor-violet-compass"));
    assertThat(done.headers().firstValue("Location").orElse("")).endsWith("/login?reset");
    assertThat(elsewhere.get("/t/" + t.tenantId()).statusCode()).as("signed out everywhere").isEqualTo(302);
    assertThat(new DashboardClient(api.base()).login(t.email(), "harbor-violet-compass").headers()
        .firstValue("Location").orElse("")).doesNotContain("error");
    assertThat(visitor.get("/reset-password?token=" + token).body()).as("used once")
        .contains("unknown, used or expired");
  }

  @Test
  void requestsForOneAddress_areLimited() {
    SignedUp t = signUp("Reset Limit");
    DashboardClient visitor = new DashboardClient(api.base());
    for (int i = 0; i < 3; i++) {
      assertThat(ask(visitor, t.email())).contains("If an account uses that address");
    }
    assertThat(ask(visitor, t.email())).contains("Too many reset requests");
  }

  @Test
  void changingTheEmail_tellsTheOldAddress() {
    SignedUp t = signUp("Email Change Notice");
    DashboardClient me = new DashboardClient(api.base());
    me.login(t.email(), t.password());
    me.get("/account");
    String fresh = "moved-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    assertThat(me.post("/account/email", Map.of("email", fresh, "password", t.password())).statusCode())
        .isEqualTo(302);
    assertThat(me.get("/account").body()).contains("Your email is now " + fresh);
    String notice = SMTP.received().stream().filter(m -> m.to().contains(t.email())).map(TestSmtpServer.Mail::text)
        .filter(text -> text.contains(fresh)).findFirst().orElseThrow();
    assertThat(notice).contains("was changed from " + t.email()).contains("tell your operator");
  }

  private static String ask(DashboardClient visitor, String email) {
    visitor.get("/forgot-password");
    return visitor.post("/forgot-password", Map.of("email", email)).body();
  }

  /** The page without its CSRF token, which is masked afresh on every page. */
  private static String withoutToken(String page) {
    return page.replaceAll("name=\"csrf-token\" content=\"[^\"]*\"", "")
        .replaceAll("name=\"_csrf\" value=\"[^\"]*\"", "");
  }

  private static long mailsTo(String email) {
    return SMTP.received().stream().filter(m -> m.to().contains(email)).count();
  }
}
