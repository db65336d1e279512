package dev.reef.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageChartsTest {

  @Test
  void niceCeiling_roundsUpToOneTwoTwoAndAHalfOrFive() {
    assertThat(UsageCharts.niceCeiling(new BigDecimal("87"))).isEqualByComparingTo("100");
    assertThat(UsageCharts.niceCeiling(new BigDecimal("100"))).isEqualByComparingTo("100");
    assertThat(UsageCharts.niceCeiling(new BigDecimal("2.1"))).isEqualByComparingTo("2.5");
    assertThat(UsageCharts.niceCeiling(new BigDecimal("0.0123"))).isEqualByComparingTo("0.02");
    assertThat(UsageCharts.niceCeiling(BigDecimal.ZERO)).isEqualByComparingTo("1");
  }

  @Test
  void columns_tallestBarFillsTheScale_zeroBarsAreFlat() {
    UsageCharts.Chart chart = UsageCharts.columns("Cost", List.of(new UsageCharts.Point("1", new BigDecimal("5")),
        new UsageCharts.Point("2", BigDecimal.ZERO), new UsageCharts.Point("3", new BigDecimal("2.5"))),
        UsageCharts.Unit.USD);
    assertThat(chart.empty()).isFalse();
    assertThat(chart.bars()).extracting(UsageCharts.Bar::percent).containsExactly(100, 0, 50);
    assertThat(chart.bars().getFirst().x()).isGreaterThanOrEqualTo(UsageCharts.LEFT);
    assertThat(chart.ticks()).extracting(UsageCharts.Tick::label).containsExactly("$0.00", "$1.25", "$2.50",
        "$3.75", "$5.00");
  }

  @Test
  void columns_noUsage_isEmpty_andManyDaysAreLabelledSparsely() {
    List<UsageCharts.Point> days = java.util.stream.IntStream.rangeClosed(1, 31)
        .mapToObj(d -> new UsageCharts.Point(Integer.toString(d), BigDecimal.ZERO)).toList();
    UsageCharts.Chart chart = UsageCharts.columns("Tokens", days, UsageCharts.Unit.TOKENS);
    assertThat(chart.empty()).isTrue();
    assertThat(chart.bars().stream().filter(UsageCharts.Bar::labelled).count()).isLessThanOrEqualTo(12);
  }

  @Test
  void formats_moneyAndTokens() {
    assertThat(UsageCharts.Unit.USD.format(new BigDecimal("0.000025"))).isEqualTo("$0.000025");
    assertThat(UsageCharts.Unit.USD.format(BigDecimal.ZERO)).isEqualTo("$0.00");
    assertThat(UsageCharts.Unit.USD.format(new BigDecimal("12.345"))).isEqualTo("$12.35");
    assertThat(UsageCharts.compact(1234)).isEqualTo("1,234");
    assertThat(UsageCharts.compact(2_500_000)).isEqualTo("2.5M");
  }

  @Test
  void smallCounts_getWholeNumberTicks() {
    UsageCharts.Chart chart = UsageCharts.columns("calls", java.util.List.of(
        new UsageCharts.Point("a", java.math.BigDecimal.valueOf(2)), new UsageCharts.Point("b",
            java.math.BigDecimal.ONE)), UsageCharts.Unit.TOKENS);
    org.assertj.core.api.Assertions.assertThat(chart.ticks()).extracting(UsageCharts.Tick::label)
        .containsExactly("0", "1", "2", "3", "4");
  }
}
