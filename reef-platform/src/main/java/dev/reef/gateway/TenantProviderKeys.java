package dev.reef.gateway;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;

/**
 * A tenant's own provider keys (BYOK), for the dashboard: the same operations as {@code …/provider-keys}, audited
 * the same way. Callers check access (the guard) first. Keys are shown masked only.
 */
public interface TenantProviderKeys {

  /** The providers in the catalog, by name: those a tenant may bring its own key for. */
  List<String> providerNames();

  List<KeyInfo> list(TenantId tenantId);

  KeyInfo put(TenantId tenantId, String provider, String apiKey, Actor actor);

  void delete(TenantId tenantId, String provider, Actor actor);

  /** @param hint the key masked to its last four characters */
  record KeyInfo(String provider, String hint, Instant createdAt, Instant updatedAt) {}
}
