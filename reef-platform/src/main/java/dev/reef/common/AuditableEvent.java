package dev.reef.common;

import java.util.Map;
import java.util.Optional;

/**
 * A security-relevant action that the audit log records. Modules publish their own past-tense events implementing
 * this; the audit module listens for the interface only, so it depends on no publisher. Listeners run in the
 * publisher's transaction: the action and its audit record commit together or not at all.
 */
public interface AuditableEvent {

  /** The tenant whose audit log shows this; empty for platform-level events (e.g. a failed login to no account). */
  Optional<TenantId> tenantId();

  /** A stable dotted name, e.g. {@code api_key.created}. */
  String action();

  Actor actor();

  /** Non-secret facts worth keeping (key name, member email, changed limits). */
  Map<String, Object> details();

  /** An event that belongs to one tenant's audit log. */
  interface OfTenant extends AuditableEvent {
    TenantId tenant();

    @Override
    default Optional<TenantId> tenantId() {
      return Optional.of(tenant());
    }
  }
}
