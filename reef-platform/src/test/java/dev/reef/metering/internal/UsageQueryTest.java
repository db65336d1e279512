package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.InvalidRequestException;
import dev.reef.metering.internal.UsageRecordRepository.GroupBy;
import java.time.Instant;
import java.time.LocalDate;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class UsageQueryTest {

  private static final Instant NOW = Instant.parse("2028-02-10T12:00:00Z");

  @Test
  void parse_defaults_areTheCurrentUtcMonthByDay() {
    UsageQuery q = UsageQuery.parse(null, "", null, NOW);
    assertThat(q).isEqualTo(new UsageQuery(LocalDate.parse("2028-02-01"), LocalDate.parse("2028-02-29"), GroupBy.DAY));
    assertThat(q.start()).isEqualTo(Instant.parse("2028-02-01T00:00:00Z"));
    assertThat(q.end()).as("to is inclusive").isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));
  }

  @Test
  void parse_groupBy_isCaseInsensitive() {
    assertThat(UsageQuery.parse("2028-01-01", "2028-01-01", "Model", NOW).groupByName()).isEqualTo("model");
    assertThat(UsageQuery.parse("2028-01-01", "2028-01-01", "agent", NOW).groupBy()).isEqualTo(GroupBy.AGENT);
  }

  @Test
  void parse_invalidInput_namesTheParameter() {
    assertField(() -> UsageQuery.parse("2028-02-30", null, null, NOW), "from");
    assertField(() -> UsageQuery.parse(null, "02/10/2028", null, NOW), "to");
    assertField(() -> UsageQuery.parse("2028-02-11", "2028-02-10", null, NOW), "from");
    assertField(() -> UsageQuery.parse("2027-01-01", "2028-01-02", null, NOW), "to");
    assertField(() -> UsageQuery.parse(null, null, "hour", NOW), "groupBy");
    assertThat(UsageQuery.parse("2027-01-01", "2028-01-01", null, NOW).from()).as("366 days is allowed")
        .isEqualTo(LocalDate.parse("2027-01-01"));
  }

  private static void assertField(Runnable parse, String field) {
    assertThatThrownBy(parse::run).isInstanceOfSatisfying(InvalidRequestException.class, e ->
        assertThat(e.properties().get("errors"))
            .asInstanceOf(InstanceOfAssertFactories.list(InvalidRequestException.FieldError.class))
            .extracting(InvalidRequestException.FieldError::field).containsExactly(field));
  }
}
