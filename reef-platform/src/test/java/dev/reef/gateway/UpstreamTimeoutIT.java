package dev.reef.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

/**
 * A provider that does not answer, or goes silent mid-stream, is cut off at the read timeout with a clear error,
 * and not asked again (retries stay at their default, 1); a call that goes on past the total timeout is ended.
 */
@TestPropertySource(properties = {"reef.gateway.read-timeout=1s", "reef.gateway.total-timeout=4s"})
@ExtendWith(OutputCaptureExtension.class)
class UpstreamTimeoutIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;
  private SignedUp tenant;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    UPSTREAM.reset();
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("timeout"));
    }
    tenant = signUp("Timeout User");
    catalog.generousLimits(tenant.tenantId());
  }

  private Map<String, Object> chatBody(boolean stream) {
    return Api.body("model", catalog.gpt, "stream", stream, "messages", List.of(Map.of("role", "user", "content", "Hi")));
  }

  @Test
  void providerSlowerThanTheReadTimeout_is504UpstreamTimeout_withoutWaitingForIt() {
    UPSTREAM.latency(Duration.ofSeconds(6));
    long t0 = System.nanoTime();
    Response r = api.post("/v1/chat/completions", tenant.apiKey(), chatBody(false));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(r.status()).as(r.toString()).isEqualTo(504);
    assertThat(r.at("/error/code")).isEqualTo("upstream_timeout");
    assertThat(r.at("/error/message")).contains("did not answer in time");
    assertThat(took).as("cut off at the 1 s read timeout, not after the provider's 6 s").isLessThan(Duration.ofSeconds(5));
    assertThat(UPSTREAM.requestCount()).as("a provider that hung is not asked to hang again").isEqualTo(1);
  }

  @Test
  void streamThatKeepsGoingPastTheTotalTimeout_isEnded_andChargedForWhatItProduced() {
    // 30 words, one every 400 ms: never silent for the 1 s read timeout, but 12 s in all against a 4 s total
    UPSTREAM.reply("word ".repeat(30).trim()).chunkDelay(Duration.ofMillis(400));
    Response r = api.post("/v1/chat/completions", tenant.apiKey(), chatBody(true));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).contains("upstream_stream_error").contains("total timeout").contains("word");
    assertThat(r.text()).as("ended before the provider's last word").doesNotContain("[DONE]");
  }

  @Test
  void streamThatGoesSilent_endsWithAStreamErrorEvent_andIsNotLoggedAsAFailure(CapturedOutput output) {
    UPSTREAM.reply("one two three").chunkDelay(Duration.ofSeconds(3));
    Response r = api.post("/v1/chat/completions", tenant.apiKey(), chatBody(true));

    assertThat(r.status()).as("the stream had started: its headers were sent").isEqualTo(200);
    assertThat(r.text()).contains("upstream_stream_error").contains("The provider went silent")
        .doesNotContain("internal_error");
    assertThat(output.getOut() + output.getErr()).as("aborting a silent call is not a failure of Reef's")
        .doesNotContain("Proxy call failed unexpectedly");
  }
}
