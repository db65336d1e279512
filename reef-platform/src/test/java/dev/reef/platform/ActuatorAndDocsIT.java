package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api.Response;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Test;

class ActuatorAndDocsIT extends ReefIT {

  @Test
  void health_withLivenessAndReadiness() {
    assertThat(api.get("/actuator/health", null).at("/status")).isEqualTo("UP");
    assertThat(api.get("/actuator/health/liveness", null).at("/status")).isEqualTo("UP");
    assertThat(api.get("/actuator/health/readiness", null).at("/status")).isEqualTo("UP");
  }

  /**
   * Which user Reef runs as is on the operator's health page; root is a warning there (not an outage: the probes
   * above stay UP). CI runs as root, so there the warning itself is checked.
   */
  @Test
  void healthPage_saysWhichUserReefRunsAs_andWarnsAboutRoot() {
    DashboardClient operator = new DashboardClient(api.base());
    operator.login("operator@reef.test", "operator-password-1");
    String page = operator.get("/operator/health").body();
    long uid = new com.sun.security.auth.module.UnixSystem().getUid();
    assertThat(page).contains("reefUser").contains("(uid " + uid + ")");
    if (uid == 0) {
      assertThat(page).contains("RUNNING_AS_ROOT").contains("WARNING").contains("machine (or VM) of its own");
    } else {
      assertThat(page).doesNotContain("RUNNING_AS_ROOT");
    }
  }

  @Test
  void prometheus_exposesMetrics() {
    Response metrics = api.send("GET", "/actuator/prometheus", null, null, java.util.Map.of("Accept", "text/plain"));
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.text()).contains("jvm_memory_used_bytes").contains("http_server_requests");
  }

  @Test
  void openApi_documentsTheApi_andSwaggerUiIsServed() {
    Response docs = api.get("/v3/api-docs", null);
    assertThat(docs.status()).isEqualTo(200);
    assertThat(docs.json().get("paths").propertyNames()).contains("/api/v1/signup", "/api/v1/tenants/{tenantId}");
    assertThat(api.get("/swagger-ui/index.html", null).status()).isEqualTo(200);
  }
}
