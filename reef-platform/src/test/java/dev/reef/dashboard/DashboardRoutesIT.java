package dev.reef.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.ReefIT;
import java.net.http.HttpResponse;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The dashboard's half of the cross-tenant attack suite. Routes are read from Spring's own handler mapping, so every
 * dashboard page with a {@code {tenantId}} that exists now or is added later is covered without anyone listing it:
 * logged in as tenant A's owner, every method of every one of tenant B's pages must answer 404 and show nothing of
 * B. Also: a suspended tenant's pages are 403, role checks match the API's, operator pages refuse everyone else,
 * and every page renders for those allowed to see it.
 */
@Tag("database-matrix")
class DashboardRoutesIT extends ReefIT {

  private static final String DASHBOARD = "dev.reef.dashboard";
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private SignedUp attacker;
  private SignedUp victim;
  private Map<String, String> victimIds;

  record Route(RequestMethod method, String template, boolean stream) {}

  @BeforeEach
  void twoTenants() {
    attacker = signUp("Dash Attacker");
    victim = signUp("Dash Victim");
    victimIds = withConversation(victim, oneOfEach(victim));
  }

  /** The ids plus a conversation of the tenant's owner with its agent (an empty one, as "New conversation" makes). */
  private Map<String, String> withConversation(SignedUp t, Map<String, String> ids) {
    DashboardClient owner = loggedIn(t);
    String chat = "/t/" + t.tenantId() + "/agents/" + ids.get("agentId") + "/chat";
    owner.get(chat);
    HttpResponse<String> started = owner.post(chat + "/conversations", Map.of());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
    Map<String, String> with = new java.util.HashMap<>(ids);
    with.put("conversationId", started.headers().firstValue("Location").orElseThrow().replaceAll(".*/chat/", ""));
    return with;
  }

  @AfterEach
  void deleteVictimsAgents() {
    deleteAgents(victim);
    deleteAgents(attacker);
  }

  @Test
  void everyTenantPage_otherTenantsUser_getsNotFound() {
    DashboardClient browser = loggedIn(attacker);
    SoftAssertions soft = new SoftAssertions();
    for (Route route : tenantRoutes()) {
      HttpResponse<String> response = call(browser, route, victimIds);
      soft.assertThat(response.statusCode()).as(route + " -> " + response.body()).isEqualTo(404);
      soft.assertThat(response.body()).as(route.toString()).doesNotContain(victim.email()).doesNotContain("Dash Victim")
          .doesNotContain("own-agent");
    }
    soft.assertAll();
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId(), victim.apiKey()).at("/status")).isEqualTo("active");
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/api-keys", victim.apiKey()).json().path("items")
        .findValuesAsString("status")).containsOnly("active");
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/agents", victim.apiKey()).json().path("items"))
        .hasSize(1);
  }

  @Test
  void everyTenantPage_suspendedTenantsOwnUser_getsForbidden() {
    DashboardClient browser = loggedIn(attacker);
    Map<String, String> own = withConversation(attacker, oneOfEach(attacker));
    assertThat(api.post("/api/v1/tenants/" + attacker.tenantId() + "/suspend", MASTER_KEY, null).status())
        .isEqualTo(200);
    SoftAssertions soft = new SoftAssertions();
    for (Route route : tenantRoutes()) {
      HttpResponse<String> response = call(browser, route, own);
      soft.assertThat(response.statusCode()).as(route + " -> " + response.body()).isEqualTo(403);
      soft.assertThat(response.body()).as(route.toString()).contains("suspended");
    }
    soft.assertAll();
  }

  @Test
  void everyTenantPage_rendersForItsOwner() {
    DashboardClient browser = loggedIn(victim);
    SoftAssertions soft = new SoftAssertions();
    for (Route route : tenantRoutes()) {
      if (route.method() == RequestMethod.GET && !route.stream() && route.template().startsWith("/t/")) {
        HttpResponse<String> response = call(browser, route, victimIds);
        soft.assertThat(response.statusCode()).as(route + " -> " + response.body()).isIn(200, 302);
      }
    }
    soft.assertAll();
  }

  @Test
  void roles_matchTheApi_memberCannotOpenAdminPages() {
    Joined joined = inviteAndJoin(victim.tenantId(), victim.apiKey(), "member");
    DashboardClient member = new DashboardClient(api.base());
    assertThat(member.login(joined.email(), joined.password()).statusCode()).isEqualTo(302);
    String t = "/t/" + victim.tenantId();
    for (String adminOnly : List.of("/settings/api-keys", "/settings/provider-keys", "/settings/audit")) {
      assertThat(member.get(t + adminOnly).statusCode()).as(adminOnly).isEqualTo(403);
    }
    assertThat(member.get(t + "/settings/members").statusCode()).isEqualTo(200);
    assertThat(member.get(t + "/settings/members").body()).doesNotContain("Invite a member");
    assertThat(member.get(t).statusCode()).isEqualTo(200);
    member.get(t + "/settings/members");
    assertThat(member.post(t + "/settings/api-keys", Map.of("name", "sneaky")).statusCode()).isEqualTo(403);
    assertThat(member.post(t + "/settings/members", Map.of("email", "x@example.test", "role", "owner"))
        .statusCode()).isEqualTo(403);
    assertThat(member.post("/operator/tenants/" + victim.tenantId() + "/suspend", Map.of()).statusCode())
        .as("suspending is the operator's").isEqualTo(403);
  }

  @Test
  void operatorPages_refuseOthers_andRenderForTheOperator() {
    DashboardClient user = loggedIn(attacker);
    DashboardClient operator = new DashboardClient(api.base());
    operator.login("operator@reef.test", "operator-password-1");
    List<Route> routes = routes(r -> r.template().startsWith("/operator") && !r.template().contains("{tenantId}"));
    assertThat(routes).extracting(Route::template).contains("/operator/tenants", "/operator/catalog", "/operator/health");
    // a real rollout (of the attacker's tenant only, which has no agents: it completes at once)
    Api.Response rollout = api.post("/api/v1/runtimes/rollouts", MASTER_KEY, Map.of("runtime", FakeRuntime.NAME,
        "targetVersion", FakeRuntime.VERSION, "tenants", List.of(attacker.tenantId())));
    assertThat(rollout.status()).as(rollout.toString()).isEqualTo(201);
    SoftAssertions soft = new SoftAssertions();
    for (Route route : routes) {
      Map<String, String> ids = Map.of("name", "no-such-provider", "modelId", "no-such-model",
          "rolloutId", rollout.at("/id"), "action", "pause", "keyId", java.util.UUID.randomUUID().toString(),
          "planId", "default");
      soft.assertThat(call(user, route, ids).statusCode()).as(route.toString()).isEqualTo(403);
      if (route.method() == RequestMethod.GET) {
        soft.assertThat(call(operator, route, ids).statusCode()).as(route.toString()).isIn(200, 302);
      }
    }
    soft.assertAll();
    assertThat(operator.get("/operator/tenants/" + victim.tenantId() + "/limits").statusCode()).isEqualTo(200);
    assertThat(operator.get("/operator/tenants?q=Dash+Victim").body()).contains(victim.tenantId());
  }

  @Test
  void forms_withoutCsrfToken_areRefused() {
    DashboardClient browser = loggedIn(victim);
    HttpResponse<String> response = browser.postRaw("/t/" + victim.tenantId() + "/settings/api-keys",
        Map.of("name", "no-csrf"));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(api.get("/api/v1/tenants/" + victim.tenantId() + "/api-keys", victim.apiKey()).json().path("items")
        .findValuesAsString("name")).doesNotContain("no-csrf");
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Every (method, path) of the dashboard with a tenant in it; fails if the mapping looks incomplete. */
  private List<Route> tenantRoutes() {
    List<Route> routes = routes(r -> r.template().contains("{tenantId}"));
    assertThat(routes).extracting(Route::template).contains("/t/{tenantId}", "/t/{tenantId}/usage",
        "/t/{tenantId}/agents/{agentId}/chat", "/t/{tenantId}/settings/api-keys",
        "/operator/tenants/{tenantId}/limits");
    return routes;
  }

  private List<Route> routes(java.util.function.Predicate<Route> filter) {
    List<Route> routes = new ArrayList<>();
    mappings.getHandlerMethods().forEach((info, method) -> {
      if (!method.getBeanType().getPackageName().startsWith(DASHBOARD)) {
        return;
      }
      Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
      boolean stream = info.getProducesCondition().getProducibleMediaTypes().contains(MediaType.TEXT_EVENT_STREAM);
      for (String template : info.getPatternValues()) {
        for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET, RequestMethod.POST) : methods) {
          Route route = new Route(m, template, stream);
          if (filter.test(route)) {
            routes.add(route);
          }
        }
      }
    });
    return routes;
  }

  private HttpResponse<String> call(DashboardClient browser, Route route, Map<String, String> ids) {
    Matcher m = PARAM.matcher(route.template());
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      String id = ids.get(m.group(1));
      assertThat(id).as("%s has {%s}, which the suite cannot fill with a real id; add one to oneOfEach()", route,
          m.group(1)).isNotNull();
      m.appendReplacement(path, id);
    }
    m.appendTail(path);
    if (route.method() == RequestMethod.GET) {
      return browser.get(path.toString());
    }
    // a complete form with a fresh token, so only the access checks can stop it
    browser.get("/login");
    return browser.post(path.toString(), Map.ofEntries(Map.entry("name", "x"),
        Map.entry("runtime", FakeRuntime.NAME), Map.entry("message", "hi"), Map.entry("email", "a@example.test"),
        Map.entry("role", "member"), Map.entry("apiKey", "sk-x"), Map.entry("provider", "openai"),
        Map.entry("type", "openai"), Map.entry("baseUrl", "http://127.0.0.1:9/v1"), Map.entry("id", "x"),
        Map.entry("upstreamModel", "x"), Map.entry("inputUsdPerMTok", "1"), Map.entry("outputUsdPerMTok", "1"),
        Map.entry("version", "1.0.0"), Map.entry("targetVersion", "1.0.0")));
  }

  @Test
  void addressesThatAreNoPage_getTheDashboardsNotFoundPage_withItsNavigation_butTheApiKeepsJson() {
    DashboardClient visitor = new DashboardClient(api.base());
    HttpResponse<String> anonymous = visitor.get("/no-such-page");
    assertThat(anonymous.statusCode()).as("a visitor is asked to log in first").isEqualTo(302);
    assertThat(anonymous.headers().firstValue("Location").orElse("")).endsWith("/login");

    DashboardClient browser = loggedIn(victim);
    HttpResponse<String> page = browser.get("/settings/nothing-here");
    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("Not found").contains("Log out").contains(victim.email().toLowerCase());

    Api.Response apiCall = api.send("GET", "/api/v1/no-such-endpoint", victim.apiKey(), null,
        Map.of("Accept", "text/html,*/*;q=0.8"));
    assertThat(apiCall.status()).isEqualTo(404);
    assertThat(apiCall.contentType()).as("the API answers a browser in JSON too").startsWith("application/problem+json");
  }

  @Test
  void operator_createsATenant_andItsOwnerJoinsThroughTheLinkShownOnce() {
    DashboardClient operator = new DashboardClient(api.base());
    operator.login("operator@reef.test", "operator-password-1");
    assertThat(operator.get("/operator/tenants/new").body()).contains("Create a tenant");
    String name = "Made By Operator " + java.util.UUID.randomUUID().toString().substring(0, 6);
    String owner = "owner-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    HttpResponse<String> refused = operator.post("/operator/tenants/new", Map.of("name", name, "plan", "no-such-plan"));
    assertThat(refused.body()).contains("Plan: no plan").contains("value=\"" + name + "\"");

    operator.get("/operator/tenants/new");
    HttpResponse<String> created = operator.post("/operator/tenants/new", Map.of("name", name, "plan", "default",
        "ownerEmail", owner));
    assertThat(created.statusCode()).isEqualTo(200);
    Matcher link = Pattern.compile("invitation\\?token=([A-Za-z0-9_-]+)").matcher(created.body());
    assertThat(link.find()).as(created.body()).isTrue();
    Api.Response accepted = api.post("/api/v1/invitations/accept", null, Api.body("token", link.group(1),
        "password", "owner-password-" + java.util.UUID.randomUUID()));
    assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
    assertThat(operator.get("/operator/tenants?q=" + name.replace(' ', '+')).body()).contains(name);
  }

  @Test
  void operator_editsAPlan_itsLimitsAndModels_asThePlansApiSeesThem() {
    DashboardClient operator = new DashboardClient(api.base());
    operator.login("operator@reef.test", "operator-password-1");
    String planId = "pro-" + java.util.UUID.randomUUID().toString().substring(0, 6);
    HttpResponse<String> toForm = operator.get("/operator/plans/new?planId=" + planId);
    assertThat(toForm.headers().firstValue("Location").orElse("")).endsWith("/operator/plans/" + planId);
    assertThat(operator.get("/operator/plans/" + planId).body()).contains("New plan " + planId);

    HttpResponse<String> bad = operator.post("/operator/plans/" + planId, Map.of("displayName", "Pro",
        "mode_agentMemoryMb", "set", "value_agentMemoryMb", "10"));
    assertThat(bad.statusCode()).isEqualTo(302);
    assertThat(operator.get("/operator/plans/" + planId).body()).contains("Agent memory (MB): must be at least 64");

    HttpResponse<String> saved = operator.post("/operator/plans/" + planId, Map.of("displayName", "Pro",
        "mode_maxAgents", "set", "value_maxAgents", "5", "mode_monthlyBudgetUsd", "unlimited",
        "modelAccess", "some", "byokCountsAgainstBudget", "on"));
    assertThat(saved.statusCode()).isEqualTo(302);
    assertThat(operator.get("/operator/plans/" + planId).body()).contains("Saved plan " + planId);
    tools.jackson.databind.JsonNode plan = null;
    for (tools.jackson.databind.JsonNode p : api.get("/api/v1/plans", MASTER_KEY).json().path("items")) {
      if (p.path("id").asString().equals(planId)) {
        plan = p;
      }
    }
    assertThat(plan).as("the plan, through the API").isNotNull();
    assertThat(plan.path("displayName").asString()).isEqualTo("Pro");
    assertThat(plan.at("/limits/maxAgents").asLong()).isEqualTo(5);
    assertThat(plan.at("/limits/monthlyBudgetUsd").isNull()).as("unlimited").isTrue();
    Api.Response access = api.get("/api/v1/plans/" + planId + "/llm-access", MASTER_KEY);
    assertThat(access.json().path("models").size()).isZero();
    assertThat(access.json().path("byokCountsAgainstBudget").asBoolean()).isTrue();
    assertThat(operator.get("/operator/plans").body()).contains(planId).contains("Agents: 5");
  }

  @Test
  void operator_seesTheMasterKeys_andRotates() {
    DashboardClient operator = new DashboardClient(api.base());
    operator.login("operator@reef.test", "operator-password-1");
    String page = operator.get("/operator/secrets").body();
    assertThat(page).contains("secrets are wrapped by the current key").contains("current");
    HttpResponse<String> rotated = operator.post("/operator/secrets/rotate", Map.of());
    assertThat(rotated.statusCode()).isEqualTo(302);
    assertThat(operator.get("/operator/secrets").body()).contains("Re-wrapped").contains("none is left on an older key");
    String status = api.get("/api/v1/operator/secrets/status", MASTER_KEY).json().path("currentKeyVersion").asString();
    assertThat(status).isNotBlank();
  }

  private DashboardClient loggedIn(SignedUp tenant) {
    DashboardClient browser = new DashboardClient(api.base());
    HttpResponse<String> login = browser.login(tenant.email(), tenant.password());
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
    return browser;
  }
}
