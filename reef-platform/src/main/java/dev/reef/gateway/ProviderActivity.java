package dev.reef.gateway;

import java.util.List;

/** How each provider has been answering through this replica over the last hour, for the operator's health page. */
public interface ProviderActivity {

  /** One line per provider that had calls in the last hour or whose circuit is not closed, by name. */
  List<ProviderHour> lastHour();

  /**
   * @param calls and {@code errors}: in the last hour
   * @param p50Millis and {@code p99Millis}: of the calls' durations in the last hour (a sample of them when many)
   * @param callsPerMinute the last 60 minutes, oldest first
   * @param circuit the provider's circuit breaker on this replica: {@code closed} (calls go through), {@code open}
   *     (skipped for its fallbacks after most recent calls failed) or {@code half-open} (a few trial calls)
   */
  record ProviderHour(String provider, long calls, long errors, long p50Millis, long p99Millis,
      List<Long> callsPerMinute, String circuit) {

    public double errorShare() {
      return calls == 0 ? 0 : (double) errors / calls;
    }
  }
}
