package dev.reef.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

@Tag("database-matrix")
class TenantsApiIT extends ReefIT {

  @Test
  void signup_createsActiveTenantOnDefaultPlan_whoseKeyWorks() {
    SignedUp acme = signUp("Acme Corp");
    Response tenant = api.get("/api/v1/tenants/" + acme.tenantId(), acme.apiKey());
    assertThat(tenant.status()).isEqualTo(200);
    assertThat(tenant.at("/status")).isEqualTo("active");
    assertThat(tenant.at("/plan")).isEqualTo("default");
    assertThat(tenant.at("/slug")).startsWith("acme-corp");
    assertThat(acme.apiKey()).startsWith("reef_sk_");
  }

  @Test
  void signup_sameEmailTwice_conflict() {
    SignedUp first = signUp("Twice");
    Response again = api.post("/api/v1/signup", null,
        Api.body("email", first.email(), "password", "another-password-1", "tenantName", "Twice again"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.at("/type")).isEqualTo("urn:reef:problem:conflict");
  }

  @Test
  void signup_weakPassword_rejectedNamingField() {
    Response weak = api.post("/api/v1/signup", null,
        Api.body("email", unique("weak") + "@example.test", "password", "short", "tenantName", "Weak"));
    assertThat(weak.status()).isEqualTo(400);
    assertThat(weak.at("/errors/0/field")).isEqualTo("password");
  }

  @Test
  void list_operatorSeesAll_tenantKeyForbidden() {
    SignedUp one = signUp("Listed One");
    Response list = api.get("/api/v1/tenants?q=" + one.tenantId(), MASTER_KEY);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().get("items")).hasSize(1);
    assertThat(list.at("/items/0/id")).isEqualTo(one.tenantId());
    assertThat(api.get("/api/v1/tenants", one.apiKey()).status()).isEqualTo(403);
  }

  @Test
  void list_paginates() {
    for (int i = 0; i < 3; i++) {
      signUp("Paged");
    }
    Response page = api.get("/api/v1/tenants?limit=2", MASTER_KEY);
    assertThat(page.json().get("items")).hasSize(2);
    assertThat(page.json().get("nextOffset").asInt()).isEqualTo(2);
  }

  @Test
  void create_byOperator_withSlug_andDuplicateSlugConflicts() {
    String slug = unique("ops");
    Response created = api.post("/api/v1/tenants", MASTER_KEY, Api.body("displayName", "Ops Made", "slug", slug));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.at("/slug")).isEqualTo(slug);
    Response duplicate = api.post("/api/v1/tenants", MASTER_KEY, Api.body("displayName", "Again", "slug", slug));
    assertThat(duplicate.status()).isEqualTo(409);
  }

  @Test
  void create_byTenantKey_forbidden() {
    SignedUp t = signUp("Not Operator");
    assertThat(api.post("/api/v1/tenants", t.apiKey(), Api.body("displayName", "X")).status()).isEqualTo(403);
  }

  /** Two tenants may not be made to look alike: not in another case, full-width letters or extra spaces either. */
  @Test
  void patch_renameToAnotherTenantsName_conflict_butOwnNameInAnyCaseIsFine() {
    String name = "Acme " + unique("Corp");
    SignedUp victim = signUp(name);
    SignedUp impostor = signUp("Impostor");
    for (String lookAlike : List.of(name, name.toUpperCase(), "  " + name.replace(" ", "   ") + " ",
        toFullWidth(name))) {
      Response r = api.patch("/api/v1/tenants/" + impostor.tenantId(), impostor.apiKey(),
          Api.body("displayName", lookAlike));
      assertThat(r.status()).as(lookAlike + ": " + r).isEqualTo(409);
      assertThat(r.at("/detail")).contains("Another tenant is already called");
    }
    assertThat(api.get("/api/v1/tenants/" + impostor.tenantId(), impostor.apiKey()).at("/displayName"))
        .isEqualTo("Impostor");
    Response own = api.patch("/api/v1/tenants/" + victim.tenantId(), victim.apiKey(),
        Api.body("displayName", name.toLowerCase()));
    assertThat(own.status()).as(own.toString()).isEqualTo(200);
    assertThat(api.patch("/api/v1/tenants/" + impostor.tenantId(), impostor.apiKey(),
        Api.body("displayName", "Bad\u0007Name")).status()).isEqualTo(400);
  }

  private static String toFullWidth(String s) {
    StringBuilder out = new StringBuilder();
    s.chars().forEach(c -> out.append(c > 0x20 && c < 0x7f ? (char) (c - 0x21 + 0xFF01) : (char) c));
    return out.toString();
  }

  @Test
  void patch_ownerRenames_butOnlyOperatorChangesPlan() {
    SignedUp t = signUp("Rename Me");
    String name = unique("Renamed");
    Response renamed = api.patch("/api/v1/tenants/" + t.tenantId(), t.apiKey(), Api.body("displayName", name));
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.at("/displayName")).isEqualTo(name);

    Response plan = api.patch("/api/v1/tenants/" + t.tenantId(), t.apiKey(), Api.body("plan", "default"));
    assertThat(plan.status()).isEqualTo(403);
    Response noSuchPlan = api.patch("/api/v1/tenants/" + t.tenantId(), MASTER_KEY, Api.body("plan", "nope"));
    assertThat(noSuchPlan.status()).isEqualTo(400);
    assertThat(noSuchPlan.at("/errors/0/field")).isEqualTo("plan");
  }

  @Test
  void suspend_refusesTenantCredentialsWith403Suspended_untilResumed() {
    SignedUp t = signUp("Suspend Me");
    Response suspended = api.post("/api/v1/tenants/" + t.tenantId() + "/suspend", MASTER_KEY,
        Api.body("reason", "unpaid invoice"));
    assertThat(suspended.status()).isEqualTo(200);
    assertThat(suspended.at("/status")).isEqualTo("suspended");
    assertThat(suspended.at("/statusReason")).isEqualTo("unpaid invoice");

    for (String path : new String[] {"", "/members", "/api-keys", "/limits"}) {
      Response refused = api.get("/api/v1/tenants/" + t.tenantId() + path, t.apiKey());
      assertThat(refused.status()).as(path).isEqualTo(403);
      assertThat(refused.at("/type")).isEqualTo("urn:reef:problem:tenant-suspended");
    }
    // the operator still sees it
    assertThat(api.get("/api/v1/tenants/" + t.tenantId(), MASTER_KEY).status()).isEqualTo(200);

    assertThat(api.post("/api/v1/tenants/" + t.tenantId() + "/resume", MASTER_KEY, null).at("/status"))
        .isEqualTo("active");
    assertThat(api.get("/api/v1/tenants/" + t.tenantId(), t.apiKey()).status()).isEqualTo(200);

    JsonNode audit = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    assertThat(audit.findValuesAsString("action")).contains("tenant.suspended", "tenant.resumed");
    JsonNode suspendEvent = audit.valueStream().filter(e -> e.get("action").asString().equals("tenant.suspended"))
        .findFirst().orElseThrow();
    assertThat(suspendEvent.at("/actor/kind").asString()).isEqualTo("operator_key");
    assertThat(suspendEvent.at("/details/reason").asString()).isEqualTo("unpaid invoice");
    assertThat(suspendEvent.get("sourceAddress").asString()).isNotBlank();
  }

  @Test
  void suspend_byTenantItself_forbidden() {
    SignedUp t = signUp("Self Suspend");
    Response refused = api.post("/api/v1/tenants/" + t.tenantId() + "/suspend", t.apiKey(), null);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.at("/type")).isEqualTo("urn:reef:problem:forbidden");
  }

  @Test
  void delete_byOwner_removesTenantAndItsKeys_keepsAuditForOperator() {
    SignedUp t = signUp("Delete Me");
    assertThat(api.delete("/api/v1/tenants/" + t.tenantId(), t.apiKey()).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/tenants/" + t.tenantId(), MASTER_KEY).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/tenants/" + t.tenantId(), t.apiKey()).status()).isEqualTo(401);
  }
}
