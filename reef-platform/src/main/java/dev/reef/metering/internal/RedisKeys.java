package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import java.time.YearMonth;
import java.util.List;

/**
 * Names of a tenant's Redis keys: {@code <prefix>{<tenantId>}:<name>}. The braces are a Redis Cluster hash tag, so
 * all of a tenant's keys live in one slot and one script can update them atomically; the scripts build the month
 * and minute key names from the same base (see prelude.lua).
 */
record RedisKeys(String prefix) {

  String base(TenantId tenantId) {
    return prefix + "{" + tenantId + "}:";
  }

  /** The keys every per-reservation script declares (its lease set, holds and finished ids), for Cluster routing. */
  List<String> reservationKeys(TenantId tenantId) {
    return reservationKeys(base(tenantId));
  }

  static List<String> reservationKeys(String base) {
    return List.of(base + "leases", base + "holds", base + "finished");
  }

  /** A pattern matching every tenant's holds key, and the tenant's key base from such a key. */
  String allHolds() {
    return escapeGlob(prefix) + "{*}:holds";
  }

  static String baseOfHolds(String holdsKey) {
    return holdsKey.substring(0, holdsKey.length() - "holds".length());
  }

  private static String escapeGlob(String text) {
    return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }

  String month(TenantId tenantId, YearMonth month) {
    return base(tenantId) + "month:" + month;
  }
}
