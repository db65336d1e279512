package dev.reef.audit.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
@Tag(name = "Audit")
class AuditController {

  private final AccessGuard guard;
  private final AuditRepository audit;
  private final JsonMapper json;

  AuditController(AccessGuard guard, AuditRepository audit, JsonMapper json) {
    this.guard = guard;
    this.audit = audit;
    this.json = json;
  }

  record ActorView(String kind, String id, String display) {}

  record AuditEventView(String id, long seq, String tenantId, Instant occurredAt, String action, ActorView actor,
      String sourceAddress, JsonNode details) {}

  /** {@code nextBefore}: pass as {@code before} to get the next (older) page; null on the last page. */
  record AuditPage(List<AuditEventView> items, Long nextBefore) {}

  @GetMapping("/api/v1/tenants/{tenantId}/audit-events")
  @Operation(summary = "The tenant's audit log, newest first")
  AuditPage tenantEvents(@PathVariable TenantId tenantId,
      @RequestParam(required = false) @Min(1) Long before,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    guard.require(tenantId, TenantPermission.AUDIT_READ);
    return page(audit.list(tenantId, before, limit + 1), limit);
  }

  @GetMapping("/api/v1/audit-events")
  @Operation(summary = "Platform-level audit events that belong to no tenant (operator)")
  AuditPage platformEvents(@RequestParam(required = false) @Min(1) Long before,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    guard.requireOperator();
    return page(audit.listPlatformEvents(before, limit + 1), limit);
  }

  private AuditPage page(List<AuditRepository.AuditRow> rows, int limit) {
    boolean more = rows.size() > limit;
    List<AuditRepository.AuditRow> shown = more ? rows.subList(0, limit) : rows;
    List<AuditEventView> items = shown.stream().map(r -> new AuditEventView(r.id().toString(), r.seq(),
        r.tenantId() == null ? null : r.tenantId().toString(), r.occurredAt(), r.action(),
        new ActorView(r.actorKind(), r.actorId(), r.actorDisplay()), r.sourceAddress(),
        r.details() == null ? null : json.readTree(r.details()))).toList();
    return new AuditPage(items, more ? shown.getLast().seq() : null);
  }
}
