package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Providers that fail in the middle of an answer: what the client gets, and what the tenant is charged. A provider
 * that breaks off a whole (not streamed) answer did the work, so the call is charged for what it produced, and the
 * client gets 502, never a 500.
 */
class ProviderFaultsIT extends ReefIT {

  private static final MockUpstream UNUSED = new MockUpstream();
  private static RawProvider provider;
  private static String model;
  private SignedUp tenant;

  @AfterAll
  static void stop() throws IOException {
    UNUSED.close();
    if (provider != null) {
      provider.close();
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    if (provider == null) {
      provider = new RawProvider();
      GatewayFixture catalog = new GatewayFixture(api, UNUSED, unique("faults"));
      String name = unique("raw");
      catalog.provider(name, "openai", provider.base() + "/v1", "sk-raw-provider-key-000001");
      model = name + "-gpt";
      // $1 per million input tokens, $1,000 per million output: the charge shows how many output tokens counted
      catalog.model(model, name, "raw", "1.00", "1000.00", "1.00", List.of());
    }
    tenant = signUp("Faults");
    new GatewayFixture(api, UNUSED, unique("faults-limits")).generousLimits(tenant.tenantId());
  }

  @Test
  void wholeAnswerCutOff_is502_andChargedForTheBytesReceived() {
    String text = "x".repeat(1_600);
    String whole = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
        + "{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":400,\"total_tokens\":412}}";
    int sent = 1_200; // inside the text: the provider's usage never arrives
    provider.answerCutOff(whole, sent);

    Response r = chat();
    assertThat(r.status()).as(r.toString()).isEqualTo(502);
    assertThat(r.at("/error/code")).isEqualTo("upstream_error");
    assertThat(r.at("/error/message")).contains("broke off").contains(sent + " bytes");

    JsonNode totals = awaitUsage();
    assertThat(totals.path("outputTokens").asLong()).as("one token per four bytes received").isEqualTo(sent / 4);
    assertThat(totals.path("costUsd").decimalValue()).isPositive();
  }

  @Test
  void wholeAnswerCutOffAfterItsUsage_isChargedWhatTheProviderReported() {
    String whole = "{\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":40,\"total_tokens\":52},"
        + "\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
        + "{\"role\":\"assistant\",\"content\":\"" + "y".repeat(2_000) + "\"},\"finish_reason\":\"stop\"}]}";
    provider.answerCutOff(whole, 300);

    Response r = chat();
    assertThat(r.status()).as(r.toString()).isEqualTo(502);
    JsonNode totals = awaitUsage();
    assertThat(totals.path("inputTokens").asLong()).isEqualTo(12);
    assertThat(totals.path("outputTokens").asLong()).isEqualTo(40);
  }

  private Response chat() {
    return api.post("/v1/chat/completions", tenant.apiKey(), "{\"model\":\"" + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  private JsonNode awaitUsage() {
    String path = "/api/v1/tenants/" + tenant.tenantId() + "/usage";
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> api.get(path, tenant.apiKey()).json().at("/totals/requests").asLong() >= 1);
    return api.get(path, tenant.apiKey()).json().path("totals");
  }

  /**
   * An HTTP/1.1 provider on a raw socket, so it can do what a well-behaved server library will not: announce a
   * Content-Length and close the connection before sending all of it.
   */
  private static final class RawProvider implements AutoCloseable {
    private final ServerSocket server;
    private volatile byte[] body = new byte[0];
    private volatile int sendOnly;

    RawProvider() throws IOException {
      server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::serve);
    }

    String base() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    void answerCutOff(String whole, int bytes) {
      this.body = whole.getBytes(StandardCharsets.UTF_8);
      this.sendOnly = bytes;
    }

    private void serve() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          Thread.ofVirtual().start(() -> answer(socket));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void answer(Socket socket) {
      try (socket) {
        InputStream in = socket.getInputStream();
        long length = readHead(in);
        in.readNBytes((int) length);
        OutputStream out = socket.getOutputStream();
        byte[] whole = body;
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + whole.length
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(whole, 0, Math.min(sendOnly, whole.length));
        out.flush();
      } catch (IOException e) {
        // the client went away
      }
    }

    /** Reads the request head; returns its Content-Length. */
    private static long readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the request ended early");
        }
        head.write(b);
      }
      for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Long.parseLong(line.substring("content-length:".length()).trim());
        }
      }
      return 0;
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
