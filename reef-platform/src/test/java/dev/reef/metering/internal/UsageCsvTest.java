package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageCsvTest {

  @Test
  void write_headerThenOneRowAGroup() {
    String csv = UsageCsv.write(List.of(
        new UsageController.Group("2026-03-10", 2, 200, 40, 60, new BigDecimal("1.234567")),
        new UsageController.Group(null, 1, 1, 1, 0, new BigDecimal("0.000000"))));
    assertThat(csv).isEqualTo("key,requests,inputTokens,outputTokens,cachedInputTokens,costUsd\r\n"
        + "2026-03-10,2,200,40,60,1.234567\r\n"
        + ",1,1,1,0,0.000000\r\n");
  }

  @Test
  void cell_quotesAndDefusesFormulas() {
    assertThat(UsageCsv.cell("plain")).isEqualTo("plain");
    assertThat(UsageCsv.cell("a,b")).isEqualTo("\"a,b\"");
    assertThat(UsageCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(UsageCsv.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
    assertThat(UsageCsv.cell("-1")).isEqualTo("'-1");
  }

  @Test
  void wantsCsv_onlyWhenPreferredToJson() {
    assertThat(UsageController.wantsCsv("text/csv")).isTrue();
    assertThat(UsageController.wantsCsv("application/json;q=0.5, text/csv")).isTrue();
    assertThat(UsageController.wantsCsv("application/json, text/csv")).isFalse();
    assertThat(UsageController.wantsCsv("*/*")).isFalse();
    assertThat(UsageController.wantsCsv(null)).isFalse();
  }
}
