package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gets a clear 4xx problem that names the field; never a 500 or a stack trace. */
class BadInputIT extends ReefIT {

  private Response last;

  @AfterEach
  void neverLeaksInternals() {
    if (last != null) {
      assertThat(last.status()).as(last.toString()).isBetween(400, 499);
      assertThat(last.contentType()).startsWith("application/problem+json");
      assertThat(last.text()).doesNotContain("Exception").doesNotContain("at dev.reef").doesNotContain("trace");
      assertThat(last.at("/type")).startsWith("urn:reef:problem:");
      assertThat(last.at("/detail")).isNotBlank();
    }
  }

  private Response signup(String rawBody) {
    last = api.post("/api/v1/signup", null, rawBody);
    return last;
  }

  @Test
  void malformedJson() {
    Response r = signup("{\"email\": \"a@b.io\", ");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/type")).isEqualTo("urn:reef:problem:malformed-json");
    assertThat(r.at("/detail")).contains("line 1");
  }

  @Test
  void wrongType_namesField() {
    Response r = signup("{\"email\": 42, \"password\": \"long-enough-pw\", \"tenantName\": \"x\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/errors/0/field")).isEqualTo("email");
  }

  @Test
  void wrongContainerType_namesField() {
    Response r = signup("{\"email\": \"a@b.io\", \"password\": [\"x\"], \"tenantName\": \"x\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/errors/0/field")).isEqualTo("password");
  }

  @Test
  void missingField_namesField() {
    Response r = signup("{\"email\": \"a@b.io\", \"password\": \"long-enough-pw\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/errors/0/field")).isEqualTo("tenantName");
  }

  @Test
  void unknownField_namesField() {
    Response r = signup("{\"email\": \"a@b.io\", \"password\": \"long-enough-pw\", \"tenantName\": \"x\", \"admin\": true}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/type")).isEqualTo("urn:reef:problem:unknown-field");
    assertThat(r.at("/errors/0/field")).isEqualTo("admin");
  }

  @Test
  void overLongString_namesField() {
    Response r = signup(Api.JSON.writeValueAsString(Map.of("email", "a@b.io", "password", "long-enough-pw",
        "tenantName", "x".repeat(201))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/errors/0/field")).isEqualTo("tenantName");
  }

  @Test
  void invalidEmail_namesField() {
    Response r = signup("{\"email\": \"not-an-email\", \"password\": \"long-enough-pw\", \"tenantName\": \"x\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/errors/0/field")).isEqualTo("email");
  }

  @Test
  void emptyBody() {
    Response r = signup("");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.at("/detail")).contains("body is required");
  }

  @Test
  void bodyOverLimit_declaredLength_413() {
    last = api.post("/api/v1/signup", null, "{\"tenantName\": \"" + "x".repeat(70_000) + "\"}");
    assertThat(last.status()).isEqualTo(413);
    assertThat(last.at("/type")).isEqualTo("urn:reef:problem:payload-too-large");
  }

  @Test
  void bodyOverLimit_chunked_413() {
    byte[] chunk = ("{\"tenantName\": \"" + "x".repeat(70_000) + "\"}").getBytes();
    // A publisher with unknown length makes the client send Transfer-Encoding: chunked (no Content-Length).
    HttpRequest.BodyPublisher chunked = new HttpRequest.BodyPublisher() {
      private final HttpRequest.BodyPublisher inner = HttpRequest.BodyPublishers.ofByteArray(chunk);

      @Override
      public long contentLength() {
        return -1;
      }

      @Override
      public void subscribe(Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
        inner.subscribe(subscriber);
      }
    };
    last = api.send(HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/signup"))
        .header("Content-Type", "application/json").POST(chunked).build());
    assertThat(last.status()).isEqualTo(413);
  }

  @Test
  void unknownTenantId_404() {
    last = api.get("/api/v1/tenants/" + UUID.randomUUID(), MASTER_KEY);
    assertThat(last.status()).isEqualTo(404);
  }

  @Test
  void malformedTenantId_404() {
    last = api.get("/api/v1/tenants/not-a-uuid", MASTER_KEY);
    assertThat(last.status()).isEqualTo(404);
  }

  @Test
  void unknownKeyId_404() {
    SignedUp t = signUp("Unknown Key");
    last = api.delete("/api/v1/tenants/" + t.tenantId() + "/api-keys/" + UUID.randomUUID(), t.apiKey());
    assertThat(last.status()).isEqualTo(404);
  }

  @Test
  void malformedKeyId_404() {
    SignedUp t = signUp("Malformed Key");
    last = api.delete("/api/v1/tenants/" + t.tenantId() + "/api-keys/123", t.apiKey());
    assertThat(last.status()).isEqualTo(404);
  }

  @Test
  void badQueryParameter_400NamesIt() {
    last = api.get("/api/v1/tenants?limit=lots", MASTER_KEY);
    assertThat(last.status()).isEqualTo(400);
    assertThat(last.at("/errors/0/field")).isEqualTo("limit");
  }

  @Test
  void outOfRangeQueryParameter_400NamesIt() {
    last = api.get("/api/v1/tenants?limit=100000", MASTER_KEY);
    assertThat(last.status()).isEqualTo(400);
    assertThat(last.at("/errors/0/field")).isEqualTo("limit");
  }

  @Test
  void wrongContentType_415() {
    last = api.send("POST", "/api/v1/signup", null, "email=a", Map.of("Content-Type", "text/plain"));
    assertThat(last.status()).isEqualTo(415);
  }

  @Test
  void wrongMethod_405WithAllow() {
    last = api.send("PUT", "/api/v1/signup", MASTER_KEY, "{}", Map.of());
    assertThat(last.status()).isEqualTo(405);
    assertThat(last.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
  }

  @Test
  void unknownEndpoint_404() {
    last = api.get("/api/v1/nothing-here", MASTER_KEY);
    assertThat(last.status()).isEqualTo(404);
  }

  @Test
  void providerUrlWithCredentials_isRefused_notStoredInPlainText() {
    last = api.put("/api/v1/providers/" + unique("creds"), MASTER_KEY, Map.of("type", "openai",
        "baseUrl", "https://user:s3cret@api.example.com/v1", "apiKey", "sk-key"));
    assertThat(last.status()).isEqualTo(400);
    assertThat(last.at("/errors/0/field")).isEqualTo("baseUrl");
    assertThat(last.at("/errors/0/message")).contains("apiKey").doesNotContain("s3cret");
  }
}
