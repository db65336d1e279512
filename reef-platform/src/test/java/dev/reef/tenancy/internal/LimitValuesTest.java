package dev.reef.tenancy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.ProblemException;
import dev.reef.tenancy.LimitName;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class LimitValuesTest {

  private final JsonMapper json = JsonMapper.builder().build();

  private Map<LimitName, String> parse(String text) {
    return LimitValues.parse(json.readTree(text));
  }

  @Test
  void parse_numbersNullsAndDecimalStrings() {
    Map<LimitName, String> values = parse("""
        {"monthlyBudgetUsd": "12.50", "requestsPerMinute": 120, "monthlyTokens": null}""");
    assertThat(values).containsEntry(LimitName.MONTHLY_BUDGET_USD, "12.5")
        .containsEntry(LimitName.REQUESTS_PER_MINUTE, "120")
        .containsEntry(LimitName.MONTHLY_TOKENS, null)
        .doesNotContainKey(LimitName.MAX_AGENTS);
  }

  @Test
  void parse_rejectsUnknownNamesFractionsNegativesAndText() {
    assertThatThrownBy(() -> parse("{\"rpm\": 1}")).isInstanceOf(ProblemException.class)
        .hasMessageContaining("Unknown field 'rpm'");
    assertThatThrownBy(() -> parse("{\"maxAgents\": 1.5}")).hasMessageContaining("maxAgents: must be a whole number");
    assertThatThrownBy(() -> parse("{\"maxAgents\": -1}")).hasMessageContaining("maxAgents: must be at least 0");
    assertThatThrownBy(() -> parse("{\"agentMemoryMb\": 10}")).hasMessageContaining("at least 64");
    assertThatThrownBy(() -> parse("{\"maxAgents\": \"2\"}")).hasMessageContaining("maxAgents: must be a number");
    assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("must be a JSON object");
  }
}
