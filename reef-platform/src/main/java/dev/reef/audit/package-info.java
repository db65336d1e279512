/**
 * The append-only audit log: every {@link dev.reef.common.AuditableEvent} any module publishes is written in the
 * publisher's own transaction, with its actor, tenant, time and source address.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Audit")
package dev.reef.audit;
