package dev.reef.gateway.internal.catalog;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.gateway.GatewayEvents;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's own provider keys (BYOK): used for that tenant's calls to that provider, and only that tenant's. */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/provider-keys")
@Tag(name = "Provider keys (BYOK)")
class ProviderKeysController {

  private final AccessGuard guard;
  private final Catalog catalog;
  private final ApplicationEventPublisher events;

  ProviderKeysController(AccessGuard guard, Catalog catalog, ApplicationEventPublisher events) {
    this.guard = guard;
    this.catalog = catalog;
    this.events = events;
  }

  record PutKey(@NotBlank @Size(max = 500) String apiKey) {}

  /** {@code apiKey} shows only the last four characters. */
  record KeyView(String provider, String apiKey, Instant createdAt, Instant updatedAt) {
    static KeyView of(ProviderKeyRepository.ProviderKey k) {
      return new KeyView(k.provider(), k.hint(), k.createdAt(), k.updatedAt());
    }
  }

  record KeyList(List<KeyView> items) {}

  @GetMapping
  @Operation(summary = "List the tenant's own provider keys, masked")
  KeyList list(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.PROVIDER_KEYS_READ);
    return new KeyList(catalog.byokKeys(tenantId).stream().map(KeyView::of).toList());
  }

  @GetMapping("/{provider}")
  @Operation(summary = "Get the tenant's own key for a provider, masked")
  KeyView get(@PathVariable TenantId tenantId, @PathVariable String provider) {
    guard.require(tenantId, TenantPermission.PROVIDER_KEYS_READ);
    return catalog.byokKeyInfo(tenantId, provider).map(KeyView::of)
        .orElseThrow(() -> new NotFoundException("provider key", provider));
  }

  @PutMapping("/{provider}")
  @Operation(summary = "Set the tenant's own key for a provider")
  KeyView put(@PathVariable TenantId tenantId, @PathVariable String provider, @Valid @RequestBody PutKey body) {
    Caller caller = guard.require(tenantId, TenantPermission.PROVIDER_KEYS_MANAGE);
    KeyView view = KeyView.of(catalog.putByokKey(tenantId, provider, body.apiKey()));
    events.publishEvent(new GatewayEvents.ProviderKeyChanged(tenantId, caller.actor(), provider, false));
    return view;
  }

  @DeleteMapping("/{provider}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove the tenant's own key for a provider; calls go back to the platform's key")
  void delete(@PathVariable TenantId tenantId, @PathVariable String provider) {
    Caller caller = guard.require(tenantId, TenantPermission.PROVIDER_KEYS_MANAGE);
    catalog.deleteByokKey(tenantId, provider);
    events.publishEvent(new GatewayEvents.ProviderKeyChanged(tenantId, caller.actor(), provider, true));
  }
}
