package dev.reef.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.tenancy.LimitName;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsagePageTest {

  @Test
  void cap_warnsFromEightyPercent_andIsOverAtTheLimit() {
    assertThat(UsagePage.cap("Tokens", BigDecimal.valueOf(79), BigDecimal.valueOf(100), UsageCharts.Unit.TOKENS)
        .tone()).isEqualTo("ok");
    UsagePage.Cap warn = UsagePage.cap("Tokens", BigDecimal.valueOf(80), BigDecimal.valueOf(100),
        UsageCharts.Unit.TOKENS);
    assertThat(warn.tone()).isEqualTo("warn");
    assertThat(warn.percent()).isEqualTo(80);
    assertThat(UsagePage.cap("Tokens", BigDecimal.valueOf(100), BigDecimal.valueOf(100), UsageCharts.Unit.TOKENS)
        .tone()).isEqualTo("over");
  }

  @Test
  void cap_unlimited_hasNoPercent() {
    UsagePage.Cap cap = UsagePage.cap("Budget", BigDecimal.ONE, null, UsageCharts.Unit.USD);
    assertThat(cap.percent()).isNull();
    assertThat(cap.limit()).isEqualTo("unlimited");
    assertThat(cap.tone()).isEqualTo("ok");
  }

  @Test
  void limitsForm_planUnlimitedOrSet() {
    Map<LimitName, String> overrides = OperatorPages.overrides(Map.of(
        "mode_monthlyBudgetUsd", "set", "value_monthlyBudgetUsd", "12.50",
        "mode_maxAgents", "unlimited", "mode_requestsPerMinute", "plan", "value_requestsPerMinute", "5"));
    assertThat(overrides).containsEntry(LimitName.MONTHLY_BUDGET_USD, "12.5").containsEntry(LimitName.MAX_AGENTS, null)
        .doesNotContainKey(LimitName.REQUESTS_PER_MINUTE).hasSize(2);
  }

  @Test
  void agentAgo_readsLikeAPerson() {
    assertThat(AgentView.ago(java.time.Duration.ofSeconds(5))).isEqualTo("just now");
    assertThat(AgentView.ago(java.time.Duration.ofMinutes(3))).isEqualTo("3 min ago");
    assertThat(AgentView.ago(java.time.Duration.ofHours(5))).isEqualTo("5 h ago");
  }
}
