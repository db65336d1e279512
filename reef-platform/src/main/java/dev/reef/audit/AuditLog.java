package dev.reef.audit;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;

/** Read side of the audit log, for the dashboard: the same entries as {@code GET …/audit-events}. */
public interface AuditLog {

  /** The tenant's entries, newest first, strictly older than {@code beforeSeq} when given. */
  Page list(TenantId tenantId, Long beforeSeq, int limit);

  /**
   * @param details the entry's details as a JSON object (never a secret)
   */
  record Entry(long seq, Instant occurredAt, String action, String actorKind, String actorDisplay,
      String sourceAddress, String details) {}

  /** {@code nextBefore}: pass as {@code beforeSeq} for the next (older) page; null on the last page. */
  record Page(List<Entry> items, Long nextBefore) {}
}
