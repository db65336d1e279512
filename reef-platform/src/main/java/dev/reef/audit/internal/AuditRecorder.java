package dev.reef.audit.internal;

import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import java.time.Clock;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes each auditable event synchronously, inside the publisher's transaction when there is one, so an action
 * and its audit record commit or roll back together.
 */
@Component
final class AuditRecorder {

  private static final int MAX_DETAILS = 4000;

  private final AuditRepository audit;
  private final JsonMapper json;
  private final Clock clock;

  AuditRecorder(AuditRepository audit, JsonMapper json, Clock clock) {
    this.audit = audit;
    this.json = json;
    this.clock = clock;
  }

  @EventListener
  void on(AuditableEvent event) {
    Actor actor = event.actor();
    TenantId tenantId = event.tenantId().orElse(null);
    String details = json.writeValueAsString(event.details());
    if (details.length() > MAX_DETAILS) {
      details = details.substring(0, MAX_DETAILS);
    }
    AuditRepository.AuditRow row = new AuditRepository.AuditRow(0, UUID.randomUUID(), tenantId, clock.instant(),
        event.action(), actor.kind(), truncate(actor.id(), 64), truncate(actor.display(), 254),
        truncate(actor.sourceAddress(), 64), details);
    // Writing the record is platform work: a login failure has no tenant scope, yet must land in the tenant's log.
    DataScope.runAsPlatform(() -> audit.append(tenantId, row));
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
