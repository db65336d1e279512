package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Joining a tenant takes an invitation the invitee accepts: adding an address attaches nobody, says nothing about
 * whether the address has an account, and the single-use token expires and can be revoked. Addresses are normalised
 * so that two accounts cannot look like one.
 */
@Tag("database-matrix")
class InvitationsApiIT extends ReefIT {

  @Autowired
  TestClock clock;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private Response invite(SignedUp t, String email, String role) {
    return api.post("/api/v1/tenants/" + t.tenantId() + "/invitations", t.apiKey(),
        Api.body("email", email, "role", role));
  }

  private Response accept(String token, String password) {
    return api.post("/api/v1/invitations/accept", null, Api.body("token", token, "password", password));
  }

  private JsonNode members(SignedUp t) {
    return api.get("/api/v1/tenants/" + t.tenantId() + "/members", t.apiKey()).json().get("items");
  }

  /** The finding: adding an existing account's address made it an admin at once, and the answer said it existed. */
  @Test
  void inviting_anExistingAccount_attachesNobody_andAnswersAsForAnUnknownAddress() {
    SignedUp victim = signUp("Victim Account");
    SignedUp attacker = signUp("Hijacker");
    Response forExisting = invite(attacker, victim.email(), "admin");
    Response forUnknown = invite(attacker, unique("nobody") + "@example.test", "admin");
    assertThat(forExisting.status()).as(forExisting.toString()).isEqualTo(201);
    assertThat(forUnknown.status()).isEqualTo(201);
    assertThat(forExisting.json().propertyNames()).containsExactlyInAnyOrderElementsOf(
        forUnknown.json().propertyNames());
    assertThat(forExisting.json().has("userId")).isFalse();
    assertThat(forExisting.json().has("temporaryPassword")).isFalse();
    assertThat(forExisting.at("/status")).isEqualTo("pending");

    assertThat(members(attacker).findValuesAsString("email")).containsExactly(attacker.email());
    // The victim's account still belongs to its own tenant only.
    DashboardClient victimBrowser = new DashboardClient(api.base());
    victimBrowser.login(victim.email(), victim.password());
    assertThat(victimBrowser.get("/").headers().firstValue("Location").orElseThrow())
        .endsWith("/t/" + victim.tenantId());
  }

  @Test
  void accept_newAddress_createsTheAccount_joins_andTheTokenWorksOnce() {
    SignedUp t = signUp("Welcoming");
    String email = unique("newcomer") + "@example.test";
    Response invited = invite(t, email, "member");
    String token = invited.at("/token");
    assertThat(token).startsWith("reef_inv_");
    assertThat(invited.at("/acceptUrl")).endsWith("/invitation?token=" + token);

    String password = "newcomer-password-" + UUID.randomUUID();
    Response accepted = accept(token, password);
    assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
    assertThat(accepted.at("/tenantId")).isEqualTo(t.tenantId());
    assertThat(accepted.at("/role")).isEqualTo("member");
    assertThat(members(t).findValuesAsString("email")).contains(email);
    assertThat(new DashboardClient(api.base()).login(email, password).headers().firstValue("Location")
        .orElseThrow()).doesNotContain("error");

    Response again = accept(token, password);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.at("/detail")).contains("unknown, used, revoked or expired").doesNotContain(token);
    assertThat(api.get("/api/v1/tenants/" + t.tenantId() + "/invitations", t.apiKey()).json().get("items")
        .get(0).get("status").asString()).isEqualTo("accepted");
  }

  @Test
  void accept_existingAccount_needsItsPassword() {
    SignedUp has = signUp("Has Account");
    SignedUp t = signUp("Invites Existing");
    String token = invite(t, has.email(), "admin").at("/token");

    Response wrong = accept(token, "not-the-password-at-all");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(members(t).findValuesAsString("email")).doesNotContain(has.email());

    Response right = accept(token, has.password());
    assertThat(right.status()).as(right.toString()).isEqualTo(200);
    assertThat(right.at("/userId")).isEqualTo(has.userId());
    assertThat(members(t).findValuesAsString("userId")).contains(has.userId());
  }

  @Test
  void revoked_expired_orReplaced_invitationsCannotBeAccepted() {
    SignedUp t = signUp("Revokes");
    Response revokedOne = invite(t, unique("r") + "@example.test", "member");
    String path = "/api/v1/tenants/" + t.tenantId() + "/invitations/" + revokedOne.at("/id");
    assertThat(api.delete(path, t.apiKey()).status()).isEqualTo(204);
    assertThat(accept(revokedOne.at("/token"), "some-password-123").status()).isEqualTo(404);

    String address = unique("twice") + "@example.test";
    String first = invite(t, address, "member").at("/token");
    String second = invite(t, address, "member").at("/token");
    assertThat(accept(first, "some-password-123").status()).as("a new invitation replaces the old").isEqualTo(404);

    clock.advance(Duration.ofDays(7).plusMinutes(1));
    assertThat(accept(second, "some-password-123").status()).as("expired after 7 days").isEqualTo(404);
    List<String> statuses = api.get("/api/v1/tenants/" + t.tenantId() + "/invitations", t.apiKey()).json()
        .get("items").findValuesAsString("status");
    assertThat(statuses).containsExactlyInAnyOrder("revoked", "revoked", "expired");
    assertThat(api.delete(path, t.apiKey()).status()).as("revoking twice is harmless").isEqualTo(204);
  }

  @Test
  void revoke_anAcceptedInvitation_conflict_unknownOne_notFound() {
    SignedUp t = signUp("Accepted Revoke");
    Response invited = invite(t, unique("a") + "@example.test", "member");
    assertThat(accept(invited.at("/token"), "accepting-password-1").status()).isEqualTo(200);
    String base = "/api/v1/tenants/" + t.tenantId() + "/invitations/";
    assertThat(api.delete(base + invited.at("/id"), t.apiKey()).status()).isEqualTo(409);
    assertThat(api.delete(base + UUID.randomUUID(), t.apiKey()).status()).isEqualTo(404);
    assertThat(api.delete(base + "not-a-uuid", t.apiKey()).status()).isBetween(400, 404);
  }

  @Test
  void inviting_anOwner_needsAnOwner_notAKey() {
    SignedUp t = signUp("Owners Only");
    assertThat(invite(t, unique("o") + "@example.test", "owner").status()).isEqualTo(403);
    Response byOperator = api.post("/api/v1/tenants/" + t.tenantId() + "/invitations", MASTER_KEY,
        Api.body("email", unique("o") + "@example.test", "role", "owner"));
    assertThat(byOperator.status()).isEqualTo(201);
  }

  @Test
  void accept_badInput_clearProblems() {
    assertThat(accept("reef_inv_made-up", "whatever-password").status()).isEqualTo(404);
    assertThat(accept("", "whatever-password").status()).isEqualTo(400);
    SignedUp t = signUp("Bad Accept");
    String token = invite(t, unique("weak") + "@example.test", "member").at("/token");
    Response weak = accept(token, "short");
    assertThat(weak.status()).isEqualTo(400);
    assertThat(weak.at("/errors/0/field")).isEqualTo("password");
    assertThat(accept(token, null).status()).isEqualTo(400);
    assertThat(accept(token, "a-strong-enough-password").status()).as("still pending after bad tries")
        .isEqualTo(200);
  }

  /** Case, spaces, a trailing dot and full-width letters are one address; mixed-script look-alikes are refused. */
  @Test
  void addresses_normalised_lookAlikesRefused() {
    String local = unique("norm");
    SignedUp first = signUp("Normalised");
    Response sameAgain = api.post("/api/v1/signup", null, Api.body("email", "  " + first.email().toUpperCase()
        + ". ", "password", "another-password-1", "tenantName", "Dup"));
    assertThat(sameAgain.status()).as(sameAgain.toString()).isEqualTo(409);

    String fullWidth = first.email().chars().mapToObj(c -> c >= 'a' && c <= 'z'
        ? String.valueOf((char) (c - 'a' + 0xFF41)) : String.valueOf((char) c)).reduce("", String::concat);
    assertThat(api.post("/api/v1/signup", null, Api.body("email", fullWidth, "password", "another-password-1",
        "tenantName", "Dup")).status()).isEqualTo(409);

    for (String lookAlike : List.of("p\u0430ypal-" + local + "@example.test", local + "@ex\u0430mple.test",
        local + "\u200b@example.test")) {
      Response refused = api.post("/api/v1/signup", null, Api.body("email", lookAlike, "password",
          "another-password-1", "tenantName", "Look Alike"));
      assertThat(refused.status()).as(lookAlike).isEqualTo(400);
      assertThat(refused.at("/errors/0/field")).isEqualTo("email");
      assertThat(invite(first, lookAlike, "member").status()).as(lookAlike).isEqualTo(400);
    }

    Response invited = invite(first, " " + local.toUpperCase() + "@Example.TEST. ", "member");
    assertThat(invited.at("/email")).isEqualTo(local + "@example.test");
    assertThat(new DashboardClient(api.base()).login(first.email().toUpperCase() + ".", first.password())
        .headers().firstValue("Location").orElseThrow()).as("login normalises too").doesNotContain("error");
  }

  /** The page behind the link: for the invited address only; for others, a note; for used tokens, 404. */
  @Test
  void dashboardPage_acceptsForTheInvitedAddressOnly() {
    SignedUp t = signUp("Page Inviter");
    SignedUp other = signUp("Someone Else");
    SignedUp invitee = signUp("Invitee Has Account");
    String token = invite(t, invitee.email(), "member").at("/token");

    DashboardClient wrong = new DashboardClient(api.base());
    wrong.login(other.email(), other.password());
    HttpResponse<String> page = wrong.get("/invitation?token=" + token);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Page Inviter").contains("You are logged in as");
    HttpResponse<String> refused = wrong.post("/invitation/accept", Map.of("token", token));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(members(t).findValuesAsString("email")).doesNotContain(other.email());

    DashboardClient right = new DashboardClient(api.base());
    right.login(invitee.email(), invitee.password());
    assertThat(right.get("/invitation?token=" + token).body()).contains(">Join<");
    HttpResponse<String> joined = right.post("/invitation/accept", Map.of("token", token));
    assertThat(joined.statusCode()).isEqualTo(302);
    assertThat(joined.headers().firstValue("Location").orElseThrow()).contains("/t/" + t.tenantId());
    assertThat(right.get("/t/" + t.tenantId()).statusCode()).isEqualTo(200);

    HttpResponse<String> used = new DashboardClient(api.base()).get("/invitation?token=" + token);
    assertThat(used.statusCode()).isEqualTo(404);
    assertThat(used.body()).contains("unknown, used, revoked or expired");
  }

  @Test
  void dashboardPage_loggedOut_newAddress_createsTheAccountAndLogsIn() {
    SignedUp t = signUp("Page New");
    String email = unique("fresh") + "@example.test";
    String token = invite(t, email, "member").at("/token");
    DashboardClient browser = new DashboardClient(api.base());
    assertThat(browser.get("/invitation?token=" + token).body()).contains("invite-password").contains(email);
    HttpResponse<String> tooShort = browser.post("/invitation/accept", Map.of("token", token, "password", "x"));
    assertThat(tooShort.statusCode()).isEqualTo(400);
    assertThat(tooShort.body()).contains("at least");
    HttpResponse<String> joined = browser.post("/invitation/accept",
        Map.of("token", token, "password", "fresh-password-" + UUID.randomUUID()));
    assertThat(joined.statusCode()).isEqualTo(302);
    assertThat(browser.get("/t/" + t.tenantId()).statusCode()).isEqualTo(200);
  }
}
