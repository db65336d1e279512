package dev.reef.tenancy.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/tenants")
@Tag(name = "Tenants")
class TenantsController {

  private final AccessGuard guard;
  private final TenantService tenants;

  TenantsController(AccessGuard guard, TenantService tenants) {
    this.guard = guard;
    this.tenants = tenants;
  }

  record TenantList(List<TenantView> items, Integer nextOffset) {}

  record CreateTenant(@NotBlank @Size(max = 200) String displayName, @Size(max = 40) String slug,
      @Size(max = 64) String plan) {}

  /** Every field is optional; {@code plan} may be changed by the operator only. */
  record UpdateTenant(@Size(min = 1, max = 200) String displayName, @Size(max = 40) String slug,
      @Size(max = 64) String plan) {}

  record Suspend(@Size(max = 500) String reason) {}

  @GetMapping
  @Operation(summary = "List tenants (operator)")
  TenantList list(@RequestParam(required = false) @Size(max = 200) String q,
      @RequestParam(required = false) String status,
      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
      @RequestParam(defaultValue = "0") @Min(0) int offset) {
    guard.requireOperator();
    TenantStatus wanted = status == null || status.isBlank() ? null : parseStatus(status);
    List<TenantView> items = tenants.list(q, wanted, limit + 1, offset).stream().map(TenantView::of).toList();
    boolean more = items.size() > limit;
    return new TenantList(more ? items.subList(0, limit) : items, more ? offset + limit : null);
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create a tenant (operator)")
  TenantView create(@Valid @RequestBody CreateTenant body) {
    Caller caller = guard.requireOperator();
    return TenantView.of(tenants.create(body.displayName(), body.slug(), body.plan(), caller.actor(), false));
  }

  @GetMapping("/{tenantId}")
  @Operation(summary = "Get a tenant")
  TenantView get(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.TENANT_READ);
    return TenantView.of(tenants.get(tenantId));
  }

  @PatchMapping("/{tenantId}")
  @Operation(summary = "Rename a tenant, change its slug, or (operator) its plan")
  TenantView update(@PathVariable TenantId tenantId, @Valid @RequestBody UpdateTenant body) {
    Caller caller = guard.require(tenantId, TenantPermission.TENANT_UPDATE);
    if (body.plan() != null && !caller.operator()) {
      throw new ProblemException(ProblemType.FORBIDDEN, "Only the platform operator may change a tenant's plan.");
    }
    return TenantView.of(tenants.update(tenantId, body.displayName(), body.slug(), body.plan(), caller.actor()));
  }

  @DeleteMapping("/{tenantId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a tenant and everything it owns (owner or operator)")
  void delete(@PathVariable TenantId tenantId) {
    Caller caller = guard.require(tenantId, TenantPermission.TENANT_DELETE);
    tenants.delete(tenantId, caller.actor());
  }

  @PostMapping("/{tenantId}/suspend")
  @Operation(summary = "Suspend a tenant: its users and keys are refused until resumed (operator)")
  TenantView suspend(@PathVariable TenantId tenantId, @Valid @RequestBody(required = false) Suspend body) {
    Caller caller = guard.require(tenantId, TenantPermission.TENANT_SUSPEND);
    return TenantView.of(tenants.suspend(tenantId, body == null ? null : body.reason(), caller.actor()));
  }

  @PostMapping("/{tenantId}/resume")
  @Operation(summary = "Resume a suspended tenant (operator)")
  TenantView resume(@PathVariable TenantId tenantId) {
    Caller caller = guard.require(tenantId, TenantPermission.TENANT_SUSPEND);
    return TenantView.of(tenants.resume(tenantId, caller.actor()));
  }

  private static TenantStatus parseStatus(String status) {
    try {
      return TenantStatus.valueOf(status.trim().toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("status", "must be active or suspended");
    }
  }
}
