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

  /** The keys every per-reservation script declares (its lease set and holds), for Cluster routing. */
  List<String> reservationKeys(TenantId tenantId) {
    String base = base(tenantId);
    return List.of(base + "leases", base + "holds");
  }

  String month(TenantId tenantId, YearMonth month) {
    return base(tenantId) + "month:" + month;
  }
}
