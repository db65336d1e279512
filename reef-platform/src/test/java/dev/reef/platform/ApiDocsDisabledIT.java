package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

/** An operator who does not want the API description public turns it off with {@code REEF_API_DOCS=false}. */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "REEF_API_DOCS=false")
class ApiDocsDisabledIT extends ReefIT {

  @Test
  void apiDocsOff_descriptionAndSwaggerUiAreGone_apiStillServes(CapturedOutput output) {
    assertThat(api.get("/v3/api-docs", null).status()).isEqualTo(404);
    assertThat(api.get("/swagger-ui/index.html", null).status()).isEqualTo(404);
    assertThat(api.get("/actuator/health", null).at("/status")).isEqualTo("UP");
    // the start-up banner (printed while this class's own context started) no longer points at them
    assertThat(output.getOut()).contains("Reef is running.").doesNotContain("API docs:");
  }
}
