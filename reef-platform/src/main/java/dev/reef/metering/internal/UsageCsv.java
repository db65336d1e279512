package dev.reef.metering.internal;

import java.util.List;

/** The usage report's groups as CSV (RFC 4180), one header row, one row a group. */
final class UsageCsv {

  static final String HEADER = "key,requests,inputTokens,outputTokens,cachedInputTokens,costUsd";

  private UsageCsv() {}

  static String write(List<UsageController.Group> groups) {
    StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
    for (UsageController.Group g : groups) {
      csv.append(cell(g.key())).append(',').append(g.requests()).append(',').append(g.inputTokens()).append(',')
          .append(g.outputTokens()).append(',').append(g.cachedInputTokens()).append(',')
          .append(g.costUsd().toPlainString()).append("\r\n");
    }
    return csv.toString();
  }

  /**
   * Quotes a key when needed, and defuses one a spreadsheet would run as a formula (a model or agent name is
   * chosen by whoever made the call).
   */
  static String cell(String value) {
    if (value == null) {
      return "";
    }
    String safe = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
      return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
    return safe;
  }
}
