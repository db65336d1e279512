package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The cross-tenant attack suite. It reads Reef's own OpenAPI document, so every endpoint under
 * {@code /api/v1/tenants/{tenantId}} that exists now or is added later is attacked without anyone listing it: with
 * tenant A's all-powerful key, every method on every one of tenant B's routes must answer 404, and B must be
 * untouched afterwards.
 */
@Tag("database-matrix")
class CrossTenantIsolationIT extends ReefIT {

  private static final String TENANT_ROUTES = "/api/v1/tenants/{tenantId}";
  private static final Set<String> WITH_BODY = Set.of("post", "put", "patch");
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  private SignedUp attacker;
  private SignedUp victim;
  private Map<String, String> victimIds;

  record Route(String method, String template) {}

  @BeforeEach
  void twoTenants() {
    attacker = signUp("Attacker");
    victim = signUp("Victim");
    String memberId = api.post("/api/v1/tenants/" + victim.tenantId() + "/members", victim.apiKey(),
        Api.body("email", unique("victim-member") + "@example.test", "role", "member")).at("/userId");
    String keyId = api.post("/api/v1/tenants/" + victim.tenantId() + "/api-keys", victim.apiKey(),
        Api.body("name", "victim-extra")).at("/id");
    // Path parameters are filled with the victim's real ids where a route names one, so the attack targets real
    // resources rather than ids that would be 404 anyway.
    victimIds = Map.of("tenantId", victim.tenantId(), "userId", memberId, "keyId", keyId);
  }

  @Test
  void everyTenantRoute_otherTenantsKey_getsNotFound() {
    List<Route> routes = tenantRoutes();
    SoftAssertions soft = new SoftAssertions();
    for (Route route : routes) {
      Response response = call(route, attacker.apiKey());
      soft.assertThat(response.status()).as(route + " -> " + response).isEqualTo(404);
      soft.assertThat(response.contentType()).as(route.toString()).startsWith("application/problem+json");
      soft.assertThat(response.text()).as(route.toString()).doesNotContain(victim.email());
    }
    soft.assertAll();
    victimIsUntouched();
  }

  @Test
  void everyTenantRoute_operator_crossesTenants() {
    for (Route route : tenantRoutes()) {
      if (route.method().equals("get")) {
        Response response = call(route, MASTER_KEY);
        // A sub-resource may well not exist (404), but never the tenant itself: the operator sees every tenant.
        assertThat(response.status()).as(route + " -> " + response).isLessThan(500);
        assertThat(String.valueOf(response.at("/detail"))).as(route + " -> " + response).doesNotContain("No tenant");
      }
    }
  }

  @Test
  void everyTenantRoute_suspendedTenantsOwnKey_gets403Suspended() {
    assertThat(api.post("/api/v1/tenants/" + attacker.tenantId() + "/suspend", MASTER_KEY, null).status())
        .isEqualTo(200);
    Map<String, String> ownIds = Map.of("tenantId", attacker.tenantId(), "userId", attacker.userId(),
        "keyId", UUID.randomUUID().toString());
    SoftAssertions soft = new SoftAssertions();
    for (Route route : tenantRoutes()) {
      Response response = call(route, attacker.apiKey(), ownIds);
      soft.assertThat(response.status()).as(route + " -> " + response).isEqualTo(403);
      soft.assertThat(response.at("/type")).as(route.toString()).isEqualTo("urn:reef:problem:tenant-suspended");
    }
    soft.assertAll();
    assertThat(api.get("/api/v1/tenants/" + attacker.tenantId(), MASTER_KEY).at("/status")).isEqualTo("suspended");
  }

  /** Every (method, path) the OpenAPI document lists under a tenant; fails if the document looks truncated. */
  private List<Route> tenantRoutes() {
    JsonNode paths = api.get("/v3/api-docs", null).json().get("paths");
    List<Route> routes = new ArrayList<>();
    for (String template : paths.propertyNames()) {
      if (template.startsWith(TENANT_ROUTES)) {
        for (String method : paths.get(template).propertyNames()) {
          routes.add(new Route(method, template));
        }
      }
    }
    assertThat(routes).as("routes found in the OpenAPI document")
        .contains(new Route("get", TENANT_ROUTES), new Route("delete", TENANT_ROUTES),
            new Route("post", TENANT_ROUTES + "/members"),
            new Route("delete", TENANT_ROUTES + "/api-keys/{keyId}"),
            new Route("put", TENANT_ROUTES + "/limits"),
            new Route("get", TENANT_ROUTES + "/audit-events"));
    return routes;
  }

  private Response call(Route route, String key) {
    return call(route, key, victimIds);
  }

  private Response call(Route route, String key, Map<String, String> ids) {
    Matcher m = PARAM.matcher(route.template());
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(path, ids.getOrDefault(m.group(1), UUID.randomUUID().toString()));
    }
    m.appendTail(path);
    Object body = WITH_BODY.contains(route.method()) ? Map.of() : null;
    return api.send(route.method().toUpperCase(), path.toString(), key, body, Map.of());
  }

  private void victimIsUntouched() {
    Response tenant = api.get("/api/v1/tenants/" + victim.tenantId(), victim.apiKey());
    assertThat(tenant.status()).isEqualTo(200);
    assertThat(tenant.at("/status")).isEqualTo("active");
    assertThat(tenant.at("/displayName")).isEqualTo("Victim");
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/members", victim.apiKey()).json().get("items"))
        .hasSize(2);
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/api-keys", victim.apiKey()).json().get("items")
        .findValuesAsString("status")).containsOnly("active");
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/limits", victim.apiKey()).json().get("overrides")
        .isEmpty()).isTrue();
  }
}
