package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The cross-tenant attack suite. It reads Reef's own OpenAPI document, so every endpoint under
 * {@code /api/v1/tenants/{tenantId}} that exists now or is added later is attacked without anyone listing it: with
 * tenant A's all-powerful key, every method on every one of tenant B's routes must answer 404, and B must be
 * untouched afterwards. Every path variable holds a real id of B's own resource of that kind (the same ids answer
 * 200 to B and to the operator), and a route with a variable the suite cannot fill fails it.
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
    // Every path variable is filled with a real id of the victim's own resource of that kind, so a 404 means the
    // route kept it from the attacker, not that the id never existed.
    victimIds = oneOfEach(victim);
  }

  @AfterEach
  void deleteVictimsAgents() {
    deleteAgents(victim);
    deleteAgents(attacker);
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

  /** The same real ids work for the victim itself and for the operator: the attacker's 404s were isolation. */
  @Test
  void everyTenantRoute_readsOfRealIds_succeedForTheOwnerAndTheOperator() {
    SoftAssertions soft = new SoftAssertions();
    for (Route route : tenantRoutes()) {
      if (route.method().equals("get")) {
        for (String key : List.of(victim.apiKey(), MASTER_KEY)) {
          Response response = call(route, key);
          soft.assertThat(response.status()).as(route + " -> " + response).isEqualTo(200);
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void everyTenantRoute_suspendedTenantsOwnKey_gets403Suspended() {
    Map<String, String> ownIds = oneOfEach(attacker);
    assertThat(api.post("/api/v1/tenants/" + attacker.tenantId() + "/suspend", MASTER_KEY, null).status())
        .isEqualTo(200);
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
            new Route("get", TENANT_ROUTES + "/audit-events"),
            new Route("delete", TENANT_ROUTES + "/agents/{agentId}"),
            new Route("delete", TENANT_ROUTES + "/provider-keys/{provider}"),
            new Route("delete", TENANT_ROUTES + "/invitations/{invitationId}"));
    return routes;
  }

  private Response call(Route route, String key) {
    return call(route, key, victimIds);
  }

  private Response call(Route route, String key, Map<String, String> ids) {
    Matcher m = PARAM.matcher(route.template());
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      String id = ids.get(m.group(1));
      // A made-up id would be 404 whoever asked: a route whose variable the suite cannot fill fails it instead.
      assertThat(id).as("%s has {%s}, which the suite cannot fill with a real id of the tenant's own; add a "
          + "resource of that kind to oneOfEach()", route, m.group(1)).isNotNull();
      m.appendReplacement(path, id);
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
    String base = "/api/v1/tenants/" + victim.tenantId();
    assertThat(api.get(base + "/members", victim.apiKey()).json().get("items").findValuesAsString("userId"))
        .containsExactlyInAnyOrder(victim.userId(), victimIds.get("userId"));
    assertThat(api.get(base + "/agents/" + victimIds.get("agentId"), victim.apiKey()).status()).isEqualTo(200);
    assertThat(api.get(base + "/agents", victim.apiKey()).json().get("items")).hasSize(1);
    assertThat(api.get(base + "/provider-keys", victim.apiKey()).text()).contains(victimIds.get("provider"));
    assertThat(api.get(base + "/invitations", victim.apiKey()).json().get("items").findValuesAsString("status"))
        .contains("pending").doesNotContain("revoked");
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/api-keys", victim.apiKey()).json().get("items")
        .findValuesAsString("status")).containsOnly("active");
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/limits", victim.apiKey()).json().get("overrides")
        .isEmpty()).isTrue();
  }
}
