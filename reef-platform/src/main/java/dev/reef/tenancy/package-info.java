/**
 * Tenants, plans and limits: who the customers are, whether they are active, and how much each may use. The
 * effective limits of a tenant are resolved in one place, {@link dev.reef.tenancy.EffectiveLimits}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tenancy")
package dev.reef.tenancy;
