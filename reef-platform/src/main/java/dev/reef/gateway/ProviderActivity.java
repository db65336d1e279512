package dev.reef.gateway;

import java.util.List;

/** How each provider has been answering through this replica over the last hour, for the operator's health page. */
public interface ProviderActivity {

  /** One line per provider that had calls in the last hour, by name. */
  List<ProviderHour> lastHour();

  /**
   * @param calls and {@code errors}: in the last hour
   * @param p50Millis and {@code p99Millis}: of the calls' durations in the last hour (a sample of them when many)
   * @param callsPerMinute the last 60 minutes, oldest first
   */
  record ProviderHour(String provider, long calls, long errors, long p50Millis, long p99Millis,
      List<Long> callsPerMinute) {

    public double errorShare() {
      return calls == 0 ? 0 : (double) errors / calls;
    }
  }
}
