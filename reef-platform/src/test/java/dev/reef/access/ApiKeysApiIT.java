package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

@Tag("database-matrix")
class ApiKeysApiIT extends ReefIT {

  @Test
  void create_showsSecretOnce_listShowsOnlyHint() {
    SignedUp t = signUp("Keys");
    Response created = api.post(keys(t), t.apiKey(), Api.body("name", "ci", "scopes", List.of("read", "llm")));
    assertThat(created.status()).isEqualTo(201);
    String secret = created.at("/key");
    assertThat(secret).startsWith("reef_sk_");
    assertThat(created.json().get("scopes").valueStream().map(JsonNode::asString))
        .containsExactlyInAnyOrder("read", "llm");

    Response list = api.get(keys(t), t.apiKey());
    assertThat(list.text()).doesNotContain(secret).doesNotContain(t.apiKey());
    JsonNode ci = list.json().get("items").valueStream().filter(k -> k.get("name").asString().equals("ci"))
        .findFirst().orElseThrow();
    assertThat(ci.get("hint").asString()).startsWith(secret.substring(0, 12)).endsWith(secret.substring(secret.length() - 4));
    assertThat(ci.get("status").asString()).isEqualTo("active");
  }

  @Test
  void defaultScopes_areReadWriteLlm() {
    SignedUp t = signUp("Default Scopes");
    Response created = api.post(keys(t), t.apiKey(), Api.body("name", "plain"));
    assertThat(created.json().get("scopes").valueStream().map(JsonNode::asString))
        .containsExactlyInAnyOrder("read", "write", "llm");
  }

  @Test
  void revoke_keyStopsWorkingAtOnce_andIsAudited() {
    SignedUp t = signUp("Revoke");
    Response created = api.post(keys(t), t.apiKey(), Api.body("name", "temp", "scopes", List.of("read")));
    String secret = created.at("/key");
    assertThat(api.get("/api/v1/tenants/" + t.tenantId(), secret).status()).isEqualTo(200);

    assertThat(api.delete(keys(t) + "/" + created.at("/id"), t.apiKey()).status()).isEqualTo(204);
    Response refused = api.get("/api/v1/tenants/" + t.tenantId(), secret);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.at("/type")).isEqualTo("urn:reef:problem:unauthenticated");

    JsonNode events = api.get("/api/v1/tenants/" + t.tenantId() + "/audit-events", t.apiKey()).json().get("items");
    assertThat(events.findValuesAsString("action")).contains("api_key.created", "api_key.revoked");
    JsonNode list = api.get(keys(t), t.apiKey()).json().get("items");
    assertThat(list.valueStream().filter(k -> k.get("name").asString().equals("temp")).findFirst().orElseThrow()
        .get("status").asString()).isEqualTo("revoked");
  }

  @Test
  void use_setsLastUsed() {
    SignedUp t = signUp("Last Used");
    Response created = api.post(keys(t), t.apiKey(), Api.body("name", "used", "scopes", List.of("read")));
    api.get("/api/v1/tenants/" + t.tenantId(), created.at("/key"));
    JsonNode used = api.get(keys(t), t.apiKey()).json().get("items").valueStream()
        .filter(k -> k.get("name").asString().equals("used")).findFirst().orElseThrow();
    assertThat(used.get("lastUsedAt").isNull()).isFalse();
  }

  @Test
  void scopes_limitWhatAKeyMayDo_andCannotBeEscalated() {
    SignedUp t = signUp("Scoped");
    String reader = api.post(keys(t), t.apiKey(), Api.body("name", "r", "scopes", List.of("read"))).at("/key");
    assertThat(api.patch("/api/v1/tenants/" + t.tenantId(), reader, Api.body("displayName", "x")).status())
        .isEqualTo(403);
    assertThat(api.get(keys(t), reader).status()).isEqualTo(403);

    String admin = api.post(keys(t), t.apiKey(), Api.body("name", "a", "scopes", List.of("admin"))).at("/key");
    Response escalate = api.post(keys(t), admin, Api.body("name", "more", "scopes", List.of("admin", "write")));
    assertThat(escalate.status()).isEqualTo(400);
    assertThat(escalate.at("/errors/0/field")).isEqualTo("scopes");
  }

  @Test
  void create_unknownScope_400() {
    SignedUp t = signUp("Unknown Scope");
    Response bad = api.post(keys(t), t.apiKey(), Api.body("name", "x", "scopes", List.of("root")));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.at("/errors/0/field")).isEqualTo("scopes");
  }

  private static String keys(SignedUp t) {
    return "/api/v1/tenants/" + t.tenantId() + "/api-keys";
  }
}
