package dev.reef.tenancy;

import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import java.time.Instant;

/** A customer of the platform. {@code slug} is unique and URL-safe; {@code statusReason} says why it was suspended. */
public record Tenant(
    TenantId id,
    String slug,
    String displayName,
    TenantStatus status,
    String planId,
    Instant createdAt,
    Instant updatedAt,
    Instant statusChangedAt,
    String statusReason) {}
