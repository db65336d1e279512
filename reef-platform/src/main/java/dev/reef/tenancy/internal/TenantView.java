package dev.reef.tenancy.internal;

import dev.reef.tenancy.Tenant;
import java.time.Instant;

/** A tenant as the API shows it. */
record TenantView(String id, String slug, String displayName, String status, String plan, Instant createdAt,
    Instant updatedAt, Instant statusChangedAt, String statusReason) {

  static TenantView of(Tenant t) {
    return new TenantView(t.id().toString(), t.slug(), t.displayName(), t.status().json(), t.planId(),
        t.createdAt(), t.updatedAt(), t.statusChangedAt(), t.statusReason());
  }
}
