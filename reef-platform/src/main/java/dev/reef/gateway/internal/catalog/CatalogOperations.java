package dev.reef.gateway.internal.catalog;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import dev.reef.gateway.CatalogAdministration;
import dev.reef.gateway.GatewayEvents;
import dev.reef.gateway.ProviderType;
import dev.reef.gateway.TenantProviderKeys;
import dev.reef.gateway.internal.upstream.GatewayProperties;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/** The catalog and BYOK endpoints' operations, with the same audit events, for other modules (the dashboard). */
@Component
final class CatalogOperations implements CatalogAdministration, TenantProviderKeys {

  private final Catalog catalog;
  private final ApplicationEventPublisher events;
  private final CallTimeouts timeouts;

  CatalogOperations(Catalog catalog, ApplicationEventPublisher events, GatewayProperties gateway) {
    this.catalog = catalog;
    this.events = events;
    this.timeouts = new CallTimeouts(gateway.connectTimeout(), gateway.readTimeout(), gateway.totalTimeout(),
        gateway.retries());
  }

  @Override
  public CallTimeouts timeouts() {
    return timeouts;
  }

  @Override
  public List<ProviderInfo> providers() {
    return catalog.snapshot().providers().values().stream().sorted(Comparator.comparing(Provider::name))
        .map(CatalogOperations::info).toList();
  }

  @Override
  public ProviderInfo putProvider(String name, ProviderType type, String baseUrl, String apiKey,
      Integer maxConcurrency, Actor actor) {
    ProviderInfo info = info(catalog.putProvider(name, type, baseUrl, apiKey, maxConcurrency));
    events.publishEvent(new GatewayEvents.CatalogChanged(actor, "provider", name, "put"));
    return info;
  }

  @Override
  public void deleteProvider(String name, Actor actor) {
    catalog.deleteProvider(name);
    events.publishEvent(new GatewayEvents.CatalogChanged(actor, "provider", name, "delete"));
  }

  @Override
  public PlanModels planModels(String planId) {
    PlanAccess access = catalog.snapshot().access(planId);
    return new PlanModels(planId, access.models(), access.byokCountsAgainstBudget());
  }

  @Override
  public PlanModels putPlanModels(String planId, java.util.Set<String> models, boolean byokCountsAgainstBudget,
      Actor actor) {
    PlanAccess access = catalog.putPlanAccess(planId, models, byokCountsAgainstBudget);
    events.publishEvent(new GatewayEvents.CatalogChanged(actor, "plan_access", planId, "put"));
    return new PlanModels(planId, access.models(), access.byokCountsAgainstBudget());
  }

  @Override
  public ConnectionTest testProvider(String name) {
    Catalog.Snapshot snapshot = catalog.snapshot();
    Provider provider = snapshot.providers().get(name);
    if (provider == null) {
      throw new dev.reef.common.NotFoundException("provider", name);
    }
    return ProviderCheck.check(provider, snapshot.providerKeys().get(name));
  }

  @Override
  public List<ModelInfo> models() {
    return catalog.snapshot().models().values().stream().sorted(Comparator.comparing(Model::id))
        .map(CatalogOperations::info).toList();
  }

  @Override
  public ModelInfo putModel(String id, String provider, String upstreamModel, BigDecimal input, BigDecimal output,
      BigDecimal cachedInput, List<String> fallbacks, Actor actor) {
    ModelInfo info = info(catalog.putModel(id, provider, upstreamModel, input, output, cachedInput, fallbacks));
    events.publishEvent(new GatewayEvents.CatalogChanged(actor, "model", id, "put"));
    return info;
  }

  @Override
  public void deleteModel(String id, Actor actor) {
    catalog.deleteModel(id);
    events.publishEvent(new GatewayEvents.CatalogChanged(actor, "model", id, "delete"));
  }

  @Override
  public List<String> providerNames() {
    return catalog.snapshot().providers().keySet().stream().sorted().toList();
  }

  @Override
  public List<KeyInfo> list(TenantId tenantId) {
    return catalog.byokKeys(tenantId).stream().map(CatalogOperations::info).toList();
  }

  @Override
  public KeyInfo put(TenantId tenantId, String provider, String apiKey, Actor actor) {
    KeyInfo info = info(catalog.putByokKey(tenantId, provider, apiKey));
    events.publishEvent(new GatewayEvents.ProviderKeyChanged(tenantId, actor, provider, false));
    return info;
  }

  @Override
  public void delete(TenantId tenantId, String provider, Actor actor) {
    catalog.deleteByokKey(tenantId, provider);
    events.publishEvent(new GatewayEvents.ProviderKeyChanged(tenantId, actor, provider, true));
  }

  private static ProviderInfo info(Provider p) {
    return new ProviderInfo(p.name(), p.type(), p.baseUrl(), p.apiKeyHint(), p.maxConcurrency());
  }

  private static ModelInfo info(Model m) {
    return new ModelInfo(m.id(), m.provider(), m.upstreamModel(), m.inputUsdPerMTok(), m.outputUsdPerMTok(),
        m.cachedInputUsdPerMTok(), m.fallbacks());
  }

  private static KeyInfo info(ProviderKeyRepository.ProviderKey k) {
    return new KeyInfo(k.provider(), k.hint(), k.createdAt(), k.updatedAt());
  }
}
