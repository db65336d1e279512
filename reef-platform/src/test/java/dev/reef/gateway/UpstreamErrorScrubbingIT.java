package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provider that echoes the credentials it was sent (as some do in their error bodies, and as any proxy in front
 * of one may) must not hand the platform's key, or a tenant's own BYOK key, to the caller: every relayed body is
 * scrubbed of the key in each encoding, for 4xx and 5xx answers, streamed and not.
 */
class UpstreamErrorScrubbingIT extends ReefIT {

  /** Slashes, pluses and an equals sign, so that the JSON-, URL- and base64-encoded forms differ from the key. */
  private static final String PLATFORM_KEY = "sk-proj-Le/ak+Test=Key_0123456789abcdef";
  private static final String PLATFORM_ANTHROPIC_KEY = "sk-ant-api03-Le/ak+Anthropic=Key_98765";

  private static EchoingProvider provider;
  private static final MockUpstream UNUSED = new MockUpstream();
  private static String echoOpenAiProvider;
  private static GatewayFixture catalog;
  private static String echoOpenAi;
  private static String echoAnthropic;
  private SignedUp tenant;

  @AfterAll
  static void stop() {
    UNUSED.close();
    if (provider != null) {
      provider.close();
    }
  }

  @BeforeEach
  void setUp() {
    if (catalog == null) {
      provider = new EchoingProvider();
      catalog = new GatewayFixture(api, UNUSED, unique("scrub"));
      String name = unique("echo");
      catalog.provider(name + "-openai", "openai", provider.base() + "/v1", PLATFORM_KEY);
      catalog.provider(name + "-anthropic", "anthropic", provider.base(), PLATFORM_ANTHROPIC_KEY);
      echoOpenAiProvider = name + "-openai";
      echoOpenAi = name + "-gpt";
      echoAnthropic = name + "-claude";
      catalog.model(echoOpenAi, name + "-openai", "echo", "1.00", "1.00", "1.00", java.util.List.of());
      catalog.model(echoAnthropic, name + "-anthropic", "echo", "1.00", "1.00", "1.00", java.util.List.of());
    }
    tenant = signUp("Scrubbed");
    catalog.generousLimits(tenant.tenantId());
  }

  private Response chat(boolean stream) {
    return api.post("/v1/chat/completions", tenant.apiKey(), "{\"model\":\"" + echoOpenAi
        + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void clientError_notStreamed_relaysTheProvidersMessageWithoutTheKey() {
    provider.answer(400, false);
    Response r = chat(false);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.text()).contains("Headers received").contains("[redacted]");
    assertNoFormOf(PLATFORM_KEY, r.text());
  }

  @Test
  void clientError_onAStreamedCall_isScrubbedToo() {
    provider.answer(422, false);
    Response r = chat(true);
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    assertThat(r.text()).contains("Headers received");
    assertNoFormOf(PLATFORM_KEY, r.text());
  }

  @Test
  void serverError_streamedOrNot_neverCarriesTheProvidersBody() {
    provider.answer(500, false);
    for (boolean stream : new boolean[] {false, true}) {
      Response r = chat(stream);
      assertThat(r.status()).as(r.toString()).isEqualTo(502);
      assertThat(r.text()).doesNotContain("Headers received");
      assertNoFormOf(PLATFORM_KEY, r.text());
    }
  }

  @Test
  void errorEventInsideA200Stream_isScrubbed() {
    provider.answer(200, true);
    Response r = chat(true);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.text()).contains("Headers received").contains("[DONE]");
    assertNoFormOf(PLATFORM_KEY, r.text());
  }

  @Test
  void anthropicsHeader_xApiKey_isScrubbed() {
    provider.answer(400, false);
    Response r = api.post("/v1/messages", tenant.apiKey(), "{\"model\":\"" + echoAnthropic
        + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.text()).contains("Headers received");
    assertNoFormOf(PLATFORM_ANTHROPIC_KEY, r.text());
  }

  @Test
  void aTenantsOwnKey_byok_isScrubbedLikeThePlatformsKey() {
    String own = "sk-byok/Tenant+Own=Key_" + tenant.tenantId().substring(0, 8);
    Response put = api.put("/api/v1/tenants/" + tenant.tenantId() + "/provider-keys/"
        + echoOpenAiProvider, tenant.apiKey(), Map.of("apiKey", own));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    provider.answer(400, false);
    Response r = chat(false);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("Headers received");
    assertNoFormOf(own, r.text());
    provider.answer(200, true);
    assertNoFormOf(own, chat(true).text());
  }

  private static void assertNoFormOf(String key, String text) {
    byte[] raw = key.getBytes(StandardCharsets.UTF_8);
    String header = Base64.getEncoder().encodeToString(("Authorization: Bearer " + key)
        .getBytes(StandardCharsets.UTF_8));
    assertThat(text)
        .doesNotContain(key)
        .doesNotContain(key.replace("/", "\\/"))
        .doesNotContain(URLEncoder.encode(key, StandardCharsets.UTF_8))
        .doesNotContain(HexFormat.of().formatHex(raw))
        .doesNotContain(Base64.getEncoder().withoutPadding().encodeToString(raw))
        .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(raw))
        .doesNotContain(header.substring(header.length() - 16))
        .doesNotContain(key.substring(0, key.length() / 2 + 4));
  }

  /** A provider that answers every call with the credentials it received, in several encodings. */
  private static final class EchoingProvider implements AutoCloseable {
    private final HttpServer server;
    private volatile int status = 400;
    private volatile boolean stream;

    EchoingProvider() {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/", this::handle);
      server.start();
    }

    String base() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void answer(int status, boolean stream) {
      this.status = status;
      this.stream = stream;
    }

    private void handle(HttpExchange exchange) throws IOException {
      exchange.getRequestBody().readAllBytes();
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      String key = authorization != null ? authorization.substring("Bearer ".length())
          : exchange.getRequestHeaders().getFirst("x-api-key");
      byte[] raw = key.getBytes(StandardCharsets.UTF_8);
      String echo = "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid request. Headers received: "
          + "Authorization: Bearer " + key + "\",\"debug\":{"
          + "\"escaped\":\"" + key.replace("/", "\\/") + "\","
          + "\"header_b64\":\"" + Base64.getEncoder().encodeToString(("Authorization: Bearer " + key)
              .getBytes(StandardCharsets.UTF_8)) + "\","
          + "\"key_b64url\":\"" + Base64.getUrlEncoder().encodeToString(raw) + "\","
          + "\"hex\":\"" + HexFormat.of().formatHex(raw) + "\","
          + "\"query\":\"?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "\"}}}";
      byte[] body = stream
          ? ("data: " + echo + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8)
          : echo.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", stream ? "text/event-stream" : "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
