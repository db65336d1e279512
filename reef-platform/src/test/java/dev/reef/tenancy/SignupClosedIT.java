package dev.reef.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = "reef.signup=closed")
class SignupClosedIT extends ReefIT {

  @Test
  void signup_closed_403WithItsOwnType_operatorStillCreatesTenants() {
    Response refused = api.post("/api/v1/signup", null,
        Api.body("email", "x@example.test", "password", "long-enough-pw", "tenantName", "Nope"));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.at("/type")).isEqualTo("urn:reef:problem:signup-closed");
    assertThat(api.post("/api/v1/tenants", MASTER_KEY, Api.body("displayName", "By Operator")).status())
        .isEqualTo(201);
  }
}
