package dev.reef.tenancy.internal;

import dev.reef.common.TenantId;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.LimitName;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * @param limits the effective value of every limit (null = unlimited)
 * @param sources for each limit, {@code tenant}, {@code plan} or {@code platform}
 * @param overrides only the limits the operator set for this tenant
 */
record LimitsView(String tenantId, String plan, Map<String, Object> limits, Map<String, String> sources,
    Map<String, Object> overrides) {

  static LimitsView of(TenantId tenantId, EffectiveLimits.Resolution r) {
    Map<String, Object> limits = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (LimitName name : LimitName.values()) {
      limits.put(name.json(), r.effective().get(name));
      sources.put(name.json(), r.sources().get(name).json());
    }
    return new LimitsView(tenantId.toString(), r.planId(), limits, sources, values(r.overrides()));
  }

  static Map<String, Object> values(Map<LimitName, String> stored) {
    Map<String, Object> out = new LinkedHashMap<>();
    stored.forEach((name, value) -> out.put(name.json(), value == null ? null
        : name.decimal() ? new BigDecimal(value) : (Object) Long.valueOf(value)));
    return out;
  }
}
