package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every number the proxy reads from a request, on every route, at the extremes: a clear 400 in the provider's error
 * shape, never a 500, and no provider called (once {@code max_tokens: 9223372036854775807} overflowed the cost).
 */
class GatewayNumbersIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;
  private SignedUp tenant;

  /** Values no token count may be: too large for a long, larger than any model, not whole, not positive, text. */
  private static final List<String> EXTREMES = List.of("9223372036854775807", "99999999999999999999999",
      "10000001", "1e300", "-1", "0", "1.5", "\"100\"", "true", "[]", "{}");

  private record Field(String path, String name, boolean anthropic) {}

  private static final List<Field> FIELDS = List.of(
      new Field("/v1/chat/completions", "max_tokens", false),
      new Field("/v1/chat/completions", "max_completion_tokens", false),
      new Field("/v1/responses", "max_output_tokens", false),
      new Field("/v1/messages", "max_tokens", true));

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    UPSTREAM.reset();
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("numbers"));
    }
    tenant = signUp("Numbers");
    catalog.generousLimits(tenant.tenantId());
  }

  private String body(Field f, String value) {
    String model = f.anthropic() ? catalog.claude : catalog.gpt;
    String messages = f.path().equals("/v1/responses") ? "\"input\":\"hi\""
        : "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    return "{\"model\":\"" + model + "\"," + messages + ",\"" + f.name() + "\":" + value + "}";
  }

  @Test
  void everyTokenCount_atEveryExtreme_is400NamingTheField_andReachesNoProvider() {
    for (Field f : FIELDS) {
      for (String value : EXTREMES) {
        Response r = api.post(f.path(), tenant.apiKey(), body(f, value));
        assertThat(r.status()).as(f + " = " + value + ": " + r).isEqualTo(400);
        assertThat(r.text()).as(f + " = " + value).contains("invalid_request_error").contains(f.name());
        if (f.anthropic()) {
          assertThat(r.at("/type")).isEqualTo("error");
        }
      }
    }
    assertThat(UPSTREAM.requestCount()).isZero();
  }

  @Test
  void aSaneTokenCount_goesThrough_andTheLargestAllowedIsReservedWithoutOverflow() {
    for (Field f : FIELDS) {
      Response r = api.post(f.path(), tenant.apiKey(), body(f, "100"));
      assertThat(r.status()).as(f + ": " + r).isEqualTo(200);
    }
    // the largest count Reef takes: a reservation of ten million tokens, refused by the budget, not by an overflow
    Response largest = api.post("/v1/chat/completions", tenant.apiKey(), body(FIELDS.getFirst(), "10000000"));
    assertThat(largest.status()).as(largest.toString()).isIn(200, 429);
  }
}
