package dev.reef.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("database-matrix")
class LimitsApiIT extends ReefIT {

  @Test
  void get_newTenant_platformDefaultsForEveryLimit() {
    SignedUp t = signUp("Defaults");
    Response limits = api.get("/api/v1/tenants/" + t.tenantId() + "/limits", t.apiKey());
    assertThat(limits.status()).isEqualTo(200);
    assertThat(limits.json().get("limits").propertyNames()).containsExactly("monthlyBudgetUsd", "monthlyTokens",
        "requestsPerMinute", "tokensPerMinute", "maxConcurrentRequests", "maxAgents", "agentMemoryMb",
        "agentCpuMillis", "agentMaxProcesses", "agentDiskMb", "idleStopMinutes", "runtimePinDays");
    assertThat(limits.json().at("/limits/agentMaxProcesses").asLong()).isEqualTo(512);
    assertThat(limits.json().at("/limits/agentDiskMb").asLong()).isEqualTo(2048);
    assertThat(limits.json().at("/limits/monthlyBudgetUsd").decimalValue()).isEqualByComparingTo("25");
    assertThat(limits.json().at("/limits/requestsPerMinute").asLong()).isEqualTo(60);
    assertThat(limits.json().at("/limits/monthlyTokens").isNull()).isTrue();
    assertThat(limits.json().get("sources").valueStream().map(v -> v.asString())).containsOnly("platform");
  }

  @Test
  void precedence_tenantOverride_thenPlan_thenPlatform() {
    String plan = unique("pro");
    Response putPlan = api.put("/api/v1/plans/" + plan, MASTER_KEY, Map.of("displayName", "Pro",
        "limits", Map.of("requestsPerMinute", 600, "maxAgents", 3)));
    assertThat(putPlan.status()).as(putPlan.toString()).isEqualTo(200);
    SignedUp t = signUp("Precedence");
    assertThat(api.patch("/api/v1/tenants/" + t.tenantId(), MASTER_KEY, Api.body("plan", plan)).status())
        .isEqualTo(200);

    Map<String, Object> overrides = new HashMap<>();
    overrides.put("requestsPerMinute", 5);
    overrides.put("monthlyBudgetUsd", null);
    Response put = api.put("/api/v1/tenants/" + t.tenantId() + "/limits", MASTER_KEY, overrides);
    assertThat(put.status()).as(put.toString()).isEqualTo(200);

    Response limits = api.get("/api/v1/tenants/" + t.tenantId() + "/limits", t.apiKey());
    assertThat(limits.json().at("/limits/requestsPerMinute").asLong()).isEqualTo(5);
    assertThat(limits.at("/sources/requestsPerMinute")).isEqualTo("tenant");
    assertThat(limits.json().at("/limits/monthlyBudgetUsd").isNull()).isTrue();
    assertThat(limits.at("/sources/monthlyBudgetUsd")).isEqualTo("tenant");
    assertThat(limits.json().at("/limits/maxAgents").asLong()).isEqualTo(3);
    assertThat(limits.at("/sources/maxAgents")).isEqualTo("plan");
    assertThat(limits.json().at("/limits/tokensPerMinute").asLong()).isEqualTo(200000);
    assertThat(limits.at("/sources/tokensPerMinute")).isEqualTo("platform");
    assertThat(limits.json().get("overrides").propertyNames())
        .containsExactlyInAnyOrder("requestsPerMinute", "monthlyBudgetUsd");

    // replacing the overrides with an empty set falls back to the plan
    api.put("/api/v1/tenants/" + t.tenantId() + "/limits", MASTER_KEY, Map.of());
    assertThat(api.get("/api/v1/tenants/" + t.tenantId() + "/limits", t.apiKey()).json()
        .at("/limits/requestsPerMinute").asLong()).isEqualTo(600);

    assertThat(api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items")
        .findValuesAsString("action")).contains("limits.changed");
  }

  @Test
  void put_byTenant_forbidden() {
    SignedUp t = signUp("No Self Raise");
    Response refused = api.put("/api/v1/tenants/" + t.tenantId() + "/limits", t.apiKey(),
        Map.of("requestsPerMinute", 100000));
    assertThat(refused.status()).isEqualTo(403);
  }

  @Test
  void put_invalidValues_400NamingTheLimit() {
    SignedUp t = signUp("Bad Limits");
    Response unknown = api.put("/api/v1/tenants/" + t.tenantId() + "/limits", MASTER_KEY, Map.of("rpm", 1));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.at("/type")).isEqualTo("urn:reef:problem:unknown-field");
    assertThat(unknown.at("/errors/0/field")).isEqualTo("rpm");
    Response negative = api.put("/api/v1/tenants/" + t.tenantId() + "/limits", MASTER_KEY,
        Map.of("maxAgents", -2));
    assertThat(negative.status()).isEqualTo(400);
    assertThat(negative.at("/errors/0/field")).isEqualTo("maxAgents");
  }
}
