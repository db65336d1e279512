package dev.reef.egress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Egress allowlists through the API: a plan's default, the operator's override for a tenant, who may read and
 * set them, and bad entries refused with the entry named.
 */
@Tag("database-matrix")
class EgressApiIT extends ReefIT {

  private String egress(SignedUp t) {
    return "/api/v1/tenants/" + t.tenantId() + "/egress";
  }

  @Test
  void aNewTenant_reachesNothing_untilItsPlanOrTheOperatorAllowsSomething() {
    SignedUp t = signUp("Egress Default");
    String plan = unique("egress-plan");
    assertThat(api.put("/api/v1/plans/" + plan, MASTER_KEY, Map.of("displayName", "Egress")).status())
        .isEqualTo(200);
    assertThat(api.patch("/api/v1/tenants/" + t.tenantId(), MASTER_KEY, Map.of("plan", plan)).status())
        .isEqualTo(200);

    Response none = api.get(egress(t), t.apiKey());
    assertThat(none.status()).isEqualTo(200);
    assertThat(none.json().path("rules").size()).isZero();
    assertThat(none.at("/source")).isEqualTo("none");

    Response planSet = api.put("/api/v1/plans/" + plan + "/egress", MASTER_KEY, Map.of("rules",
        List.of(Map.of("host", "*.pypi.org"), Map.of("host", "api.github.com", "ports", List.of(443, 80)))));
    assertThat(planSet.status()).as(planSet.toString()).isEqualTo(200);
    Response fromPlan = api.get(egress(t), t.apiKey());
    assertThat(fromPlan.at("/source")).isEqualTo("plan");
    assertThat(fromPlan.at("/planId")).isEqualTo(plan);
    assertThat(fromPlan.at("/rules/0/host")).isEqualTo("*.pypi.org");
    assertThat(fromPlan.at("/rules/0/ports/0")).isEqualTo("443");
    assertThat(fromPlan.json().path("override").isNull()).isTrue();

    Response override = api.put(egress(t), MASTER_KEY, Map.of("rules", List.of(Map.of("host", "example.org"))));
    assertThat(override.status()).isEqualTo(200);
    assertThat(override.at("/source")).isEqualTo("tenant");
    assertThat(override.json().path("rules").size()).isEqualTo(1);

    java.util.Map<String, Object> backToPlan = new java.util.HashMap<>();
    backToPlan.put("rules", null);
    Response dropped = api.put(egress(t), MASTER_KEY, backToPlan);
    assertThat(dropped.at("/source")).isEqualTo("plan");
    assertThat(api.get("/api/v1/plans/" + plan + "/egress", MASTER_KEY).json().path("rules").size())
        .isEqualTo(2);
  }

  @Test
  void onlyTheOperatorSetsAllowlists_membersReadTheirs_andAnotherTenantsIs404() {
    SignedUp t = signUp("Egress Rights");
    SignedUp other = signUp("Egress Other");
    Map<String, Object> body = Map.of("rules", List.of(Map.of("host", "example.org")));

    assertThat(api.put(egress(t), t.apiKey(), body).status()).isEqualTo(403);
    assertThat(api.put("/api/v1/plans/default/egress", t.apiKey(), body).status()).isEqualTo(403);
    assertThat(api.get(egress(t), t.apiKey()).status()).isEqualTo(200);
    assertThat(api.get(egress(t), other.apiKey()).status()).isEqualTo(404);
    assertThat(api.get(egress(t) + "/connections", other.apiKey()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/plans/no-such-plan/egress", MASTER_KEY).status()).isEqualTo(404);
  }

  @Test
  void badEntries_are400_namingTheEntry() {
    SignedUp t = signUp("Egress Bad");
    record Case(Object rules, String field, String says) {}
    List<Case> cases = List.of(
        new Case(List.of(Map.of("host", "*")), "rules[0].host", "every host"),
        new Case(List.of(Map.of("host", "ok.example.org"), Map.of("host", "169.254.169.254")), "rules[1].host",
            "cloud instance metadata"),
        new Case(List.of(Map.of("host", "10.0.0.8")), "rules[0].host", "a private network"),
        new Case(List.of(Map.of("host", "example.org", "ports", List.of(70000))), "rules[0].ports[0]",
            "from 1 to 65535"),
        new Case("example.org", "rules", "must be an array"));
    for (Case c : cases) {
      Response refused = api.put(egress(t), MASTER_KEY, Map.of("rules", c.rules()));
      assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
      assertThat(refused.contentType()).startsWith("application/problem+json");
      assertThat(refused.at("/errors/0/field")).isEqualTo(c.field());
      assertThat(refused.at("/errors/0/message")).contains(c.says());
    }
    Response unknown = api.put(egress(t), MASTER_KEY, Map.of("rules", List.of(), "mode", "open"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.at("/errors/0/field")).isEqualTo("mode");
    assertThat(api.get(egress(t) + "/usage?groupBy=model", t.apiKey()).status()).isEqualTo(400);
    assertThat(api.get(egress(t) + "/connections?limit=0", t.apiKey()).status()).isEqualTo(400);
  }
}
