package dev.reef.access.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.DataScope;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A password chosen for its owner (the first operator's generated one) must be replaced at the first login: every
 * dashboard page leads to the account page until it is.
 */
class TemporaryPasswordIT extends ReefIT {

  @Autowired
  UserAccountService accounts;

  @Test
  void aTemporaryPassword_leadsEveryPageToTheAccountPage_untilItIsReplaced() {
    String email = "temporary-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    String temporary = "generated-" + UUID.randomUUID();
    DataScope.callAsPlatform(() -> accounts.createWithTemporaryPassword(email, temporary, false));
    DashboardClient browser = new DashboardClient(api.base());
    assertThat(browser.login(email, temporary).headers().firstValue("Location").orElse("")).doesNotContain("error");

    HttpResponse<String> home = browser.get("/");
    assertThat(home.statusCode()).isEqualTo(302);
    assertThat(home.headers().firstValue("Location").orElse("")).contains("/account?change-password");
    assertThat(browser.get("/account").body()).contains("Your password was chosen for you");

    browser.get("/account");
    assertThat(browser.post("/account/password", Map.of("currentPassword", temporary,
        "newPassword", "saffron-kettle-meadow", "confirmPassword", "saffron-kettle-meadow")).statusCode())
        .isEqualTo(302);
    assertThat(browser.get("/account").body()).doesNotContain("Your password was chosen for you");
    assertThat(browser.get("/").headers().firstValue("Location").orElse("")).doesNotContain("/account");
  }
}
