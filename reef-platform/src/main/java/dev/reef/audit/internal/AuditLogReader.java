package dev.reef.audit.internal;

import dev.reef.audit.AuditLog;
import dev.reef.common.TenantId;
import java.util.List;
import org.springframework.stereotype.Component;

/** The audit endpoint's reads, for other modules (the dashboard). */
@Component
final class AuditLogReader implements AuditLog {

  private final AuditRepository audit;

  AuditLogReader(AuditRepository audit) {
    this.audit = audit;
  }

  @Override
  public Page list(TenantId tenantId, Long beforeSeq, int limit) {
    List<AuditRepository.AuditRow> rows = audit.list(tenantId, beforeSeq, limit + 1);
    boolean more = rows.size() > limit;
    List<AuditRepository.AuditRow> shown = more ? rows.subList(0, limit) : rows;
    return new Page(shown.stream().map(r -> new Entry(r.seq(), r.occurredAt(), r.action(), r.actorKind(),
        r.actorDisplay(), r.sourceAddress(), r.details())).toList(), more ? shown.getLast().seq() : null);
  }
}
