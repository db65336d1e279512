package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Listing and removing members; joining is by invitation ({@link InvitationsApiIT}). */
@Tag("database-matrix")
class MembersApiIT extends ReefIT {

  @Test
  void list_showsThoseWhoAccepted_notThoseOnlyInvited() {
    SignedUp t = signUp("Team");
    Joined joined = inviteAndJoin(t.tenantId(), t.apiKey(), "admin");
    String pending = unique("pending") + "@example.test";
    assertThat(api.post(members(t), t.apiKey(), Api.body("email", pending, "role", "member")).status())
        .isEqualTo(201);

    Response list = api.get(members(t), t.apiKey());
    assertThat(list.json().get("items").findValuesAsString("email"))
        .containsExactlyInAnyOrder(t.email(), joined.email());
    assertThat(list.json().get("items").findValuesAsString("role")).contains("admin");
    assertThat(api.post(members(t), t.apiKey(), Api.body("email", joined.email(), "role", "member")).status())
        .as("a member cannot be invited again").isEqualTo(409);

    var audit = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    assertThat(audit.findValuesAsString("action")).contains("invitation.created", "member.added");
  }

  @Test
  void invite_badRole_400NamingField() {
    SignedUp t = signUp("Bad Role");
    Response bad = api.post(members(t), t.apiKey(), Api.body("email", "x@example.test", "role", "boss"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.at("/errors/0/field")).isEqualTo("role");
  }

  @Test
  void remove_member_thenLastOwnerIsProtected() {
    SignedUp t = signUp("Removals");
    Joined leaver = inviteAndJoin(t.tenantId(), t.apiKey(), "member");
    assertThat(api.delete(members(t) + "/" + leaver.userId(), t.apiKey()).status()).isEqualTo(204);
    assertThat(api.get(members(t), t.apiKey()).json().get("items").findValuesAsString("email"))
        .doesNotContain(leaver.email());
    assertThat(api.delete(members(t) + "/" + leaver.userId(), t.apiKey()).status()).isEqualTo(404);

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
    assertThat(api.get("/api/v1/tenants/" + t.tenantId() + "/invitations", readKey).status()).isEqualTo(403);
  }

  private static String members(SignedUp t) {
    return "/api/v1/tenants/" + t.tenantId() + "/members";
  }
}
