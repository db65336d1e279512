package dev.reef.metering.internal;

import dev.reef.common.InvalidRequestException;
import dev.reef.metering.internal.UsageRecordRepository.GroupBy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The usage API's query: inclusive UTC dates (default: the current calendar month) and a grouping. Invalid input is
 * a 400 that names the parameter.
 */
record UsageQuery(LocalDate from, LocalDate to, GroupBy groupBy) {

  /** Long enough for a year's report (with a leap day), short enough to bound the work of one request. */
  static final int MAX_DAYS = 366;

  static UsageQuery parse(String from, String to, String groupBy, Instant now) {
    YearMonth month = MeterWindows.month(now);
    LocalDate start = date("from", from, month.atDay(1));
    LocalDate end = date("to", to, month.atEndOfMonth());
    if (start.isAfter(end)) {
      throw new InvalidRequestException("from", "must not be after to (" + end + ")");
    }
    if (ChronoUnit.DAYS.between(start, end) + 1 > MAX_DAYS) {
      throw new InvalidRequestException("to", "the range may span at most " + MAX_DAYS + " days");
    }
    return new UsageQuery(start, end, group(groupBy));
  }

  /** The first instant of {@code from}. */
  Instant start() {
    return from.atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** The first instant after {@code to}. */
  Instant end() {
    return to.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  String groupByName() {
    return groupBy.name().toLowerCase(Locale.ROOT);
  }

  private static LocalDate date(String name, String value, LocalDate fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(name, "must be a date as YYYY-MM-DD");
    }
  }

  private static GroupBy group(String value) {
    if (value == null || value.isBlank()) {
      return GroupBy.DAY;
    }
    for (GroupBy g : GroupBy.values()) {
      if (g.name().equalsIgnoreCase(value.trim())) {
        return g;
      }
    }
    throw new InvalidRequestException("groupBy", "must be one of day, model, agent");
  }
}
