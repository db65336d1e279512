package dev.reef.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("database-matrix")
class OperatorAccessIT extends ReefIT {

  @Test
  void masterKey_hasOperatorRights() {
    assertThat(api.get("/api/v1/tenants", MASTER_KEY).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/plans", MASTER_KEY).status()).isEqualTo(200);
  }

  @Test
  void operatorKeys_createUseRevoke() {
    Response created = api.post("/api/v1/operator/api-keys", MASTER_KEY, Api.body("name", "automation"));
    assertThat(created.status()).isEqualTo(201);
    String key = created.at("/key");
    assertThat(key).startsWith("reef_op_");
    assertThat(api.get("/api/v1/tenants", key).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/operator/api-keys", MASTER_KEY).text()).doesNotContain(key);

    assertThat(api.delete("/api/v1/operator/api-keys/" + created.at("/id"), key).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/tenants", key).status()).isEqualTo(401);

    var platformAudit = api.get("/api/v1/audit-events", MASTER_KEY).json().get("items");
    assertThat(platformAudit.findValuesAsString("action")).contains("operator_key.created", "operator_key.revoked");
  }

  @Test
  void operatorEndpoints_refuseTenantKeys() {
    SignedUp t = signUp("Not Ops");
    assertThat(api.get("/api/v1/operator/api-keys", t.apiKey()).status()).isEqualTo(403);
    assertThat(api.post("/api/v1/operator/api-keys", t.apiKey(), Api.body("name", "x")).status()).isEqualTo(403);
    assertThat(api.get("/api/v1/audit-events", t.apiKey()).status()).isEqualTo(403);
    assertThat(api.put("/api/v1/plans/sneaky", t.apiKey(), Api.body("displayName", "x")).status()).isEqualTo(403);
  }

  @Test
  void noCredential_401WithBearerChallenge_wrongCredential_401() {
    Response none = api.get("/api/v1/tenants", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(none.contentType()).startsWith("application/problem+json");
    Response wrong = api.get("/api/v1/tenants", "reef_sk_doesnotexist");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.at("/type")).isEqualTo("urn:reef:problem:unauthenticated");
  }
}
