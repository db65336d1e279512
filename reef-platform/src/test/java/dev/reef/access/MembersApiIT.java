package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("database-matrix")
class MembersApiIT extends ReefIT {

  @Test
  void add_newPerson_createsAccountWithTemporaryPassword_andListsThem() {
    SignedUp t = signUp("Team");
    String email = unique("colleague") + "@example.test";
    Response added = api.post(members(t), t.apiKey(), Api.body("email", email, "role", "admin"));
    assertThat(added.status()).as(added.toString()).isEqualTo(201);
    assertThat(added.at("/role")).isEqualTo("admin");
    assertThat(added.at("/temporaryPassword")).hasSizeGreaterThanOrEqualTo(20);

    Response list = api.get(members(t), t.apiKey());
    assertThat(list.json().get("items").findValuesAsString("email")).containsExactlyInAnyOrder(t.email(), email);
    assertThat(api.post(members(t), t.apiKey(), Api.body("email", email, "role", "member")).status())
        .isEqualTo(409);

    var audit = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    assertThat(audit.findValuesAsString("action")).contains("member.added");
  }

  @Test
  void add_existingUserOfAnotherTenant_noNewPassword() {
    SignedUp a = signUp("Has Account");
    SignedUp b = signUp("Invites");
    Response added = api.post(members(b), b.apiKey(), Api.body("email", a.email(), "role", "member"));
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.json().get("temporaryPassword").isNull()).isTrue();
    assertThat(added.at("/userId")).isEqualTo(a.userId());
  }

  @Test
  void add_ownerRole_needsAnOwner_notAKey() {
    SignedUp t = signUp("Owners Only");
    Response refused = api.post(members(t), t.apiKey(), Api.body("email", unique("o") + "@example.test",
        "role", "owner"));
    assertThat(refused.status()).isEqualTo(403);
    Response byOperator = api.post(members(t), MASTER_KEY, Api.body("email", unique("o") + "@example.test",
        "role", "owner"));
    assertThat(byOperator.status()).isEqualTo(201);
  }

  @Test
  void add_badRole_400NamingField() {
    SignedUp t = signUp("Bad Role");
    Response bad = api.post(members(t), t.apiKey(), Api.body("email", "x@example.test", "role", "boss"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.at("/errors/0/field")).isEqualTo("role");
  }

  @Test
  void remove_member_thenLastOwnerIsProtected() {
    SignedUp t = signUp("Removals");
    String email = unique("leaver") + "@example.test";
    String userId = api.post(members(t), t.apiKey(), Api.body("email", email, "role", "member")).at("/userId");
    assertThat(api.delete(members(t) + "/" + userId, t.apiKey()).status()).isEqualTo(204);
    assertThat(api.get(members(t), t.apiKey()).json().get("items").findValuesAsString("email"))
        .doesNotContain(email);
    assertThat(api.delete(members(t) + "/" + userId, t.apiKey()).status()).isEqualTo(404);

    Response lastOwner = api.delete(members(t) + "/" + t.userId(), MASTER_KEY);
    assertThat(lastOwner.status()).isEqualTo(409);
    assertThat(lastOwner.at("/detail")).contains("last owner");
    assertThat(api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items")
        .findValuesAsString("action")).contains("member.removed");
  }

  @Test
  void readOnlyKey_canListButNotManage() {
    SignedUp t = signUp("Read Only");
    String readKey = api.post("/api/v1/tenants/" + t.tenantId() + "/api-keys", t.apiKey(),
        Api.body("name", "reader", "scopes", java.util.List.of("read"))).at("/key");
    assertThat(api.get(members(t), readKey).status()).isEqualTo(200);
    Response refused = api.post(members(t), readKey, Api.body("email", "n@example.test", "role", "member"));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.at("/detail")).contains("'admin' scope");
  }

  private static String members(SignedUp t) {
    return "/api/v1/tenants/" + t.tenantId() + "/members";
  }
}
