package dev.reef.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FormOutcomeTest {

  @Test
  void failuresNameFieldsAsTheFormLabelsThem_notAsTheApiDoes() {
    Map<String, String> labels = Map.of("inputUsdPerMTok", "Input USD / million tokens",
        "agentMemoryMb", "Agent memory (MB)");
    assertThat(FormOutcome.labelled("inputUsdPerMTok: must not be negative", labels))
        .isEqualTo("Input USD / million tokens: must not be negative");
    assertThat(FormOutcome.labelled("agentMemoryMb: must be at least 64, or null for unlimited", labels))
        .isEqualTo("Agent memory (MB): must be at least 64, or empty for unlimited");
    assertThat(FormOutcome.labelled("There is already an agent named 'x'.", labels))
        .isEqualTo("There is already an agent named 'x'.");
  }
}
