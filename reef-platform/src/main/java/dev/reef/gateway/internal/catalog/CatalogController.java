package dev.reef.gateway.internal.catalog;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.common.NotFoundException;
import dev.reef.gateway.GatewayEvents;
import dev.reef.gateway.ProviderType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The operator's catalog: providers (keys masked), models with prices, and which models each plan may use. */
@RestController
@Tag(name = "LLM catalog")
class CatalogController {

  private final AccessGuard guard;
  private final Catalog catalog;
  private final ApplicationEventPublisher events;

  CatalogController(AccessGuard guard, Catalog catalog, ApplicationEventPublisher events) {
    this.guard = guard;
    this.catalog = catalog;
    this.events = events;
  }

  private void audit(Caller caller, String what, String name, String change) {
    events.publishEvent(new GatewayEvents.CatalogChanged(caller.actor(), what, name, change));
  }

  /** {@code apiKey}: omit to keep the stored key, "" to remove it. */
  record PutProvider(@NotBlank @Size(max = 16) String type, @NotBlank @Size(max = 500) String baseUrl,
      @Size(max = 500) String apiKey, Integer maxConcurrency) {}

  /** The key is never returned: {@code apiKey} shows only its last four characters. */
  record ProviderView(String name, String type, String baseUrl, String apiKey, int maxConcurrency,
      Instant createdAt, Instant updatedAt) {
    static ProviderView of(Provider p) {
      return new ProviderView(p.name(), p.type().json(), p.baseUrl(), p.apiKeyHint(), p.maxConcurrency(),
          p.createdAt(), p.updatedAt());
    }
  }

  record ProviderList(List<ProviderView> items) {}

  record PutModel(@NotBlank @Size(max = 64) String provider, @NotBlank @Size(max = 200) String upstreamModel,
      @NotNull BigDecimal inputUsdPerMTok, @NotNull BigDecimal outputUsdPerMTok, BigDecimal cachedInputUsdPerMTok,
      @Size(max = 10) List<@NotBlank @Size(max = 128) String> fallbacks, Boolean answerWithUpstreamModel) {}

  record ModelView(String id, String provider, String upstreamModel, BigDecimal inputUsdPerMTok,
      BigDecimal outputUsdPerMTok, BigDecimal cachedInputUsdPerMTok, List<String> fallbacks,
      boolean answerWithUpstreamModel, Instant createdAt, Instant updatedAt) {
    static ModelView of(Model m) {
      return new ModelView(m.id(), m.provider(), m.upstreamModel(), m.inputUsdPerMTok(), m.outputUsdPerMTok(),
          m.cachedInputUsdPerMTok(), m.fallbacks(), m.answerWithUpstreamModel(), m.createdAt(), m.updatedAt());
    }
  }

  record ModelList(List<ModelView> items) {}

  /** {@code models}: null (or absent) allows every model in the catalog. */
  record PutPlanAccess(@Size(max = 1000) Set<@NotBlank String> models, boolean byokCountsAgainstBudget) {}

  record PlanAccessView(String planId, List<String> models, boolean byokCountsAgainstBudget) {
    static PlanAccessView of(PlanAccess a) {
      return new PlanAccessView(a.planId(), a.models() == null ? null : a.models().stream().sorted().toList(),
          a.byokCountsAgainstBudget());
    }
  }

  @GetMapping("/api/v1/providers")
  @Operation(summary = "List upstream providers, keys masked (operator)")
  ProviderList providers() {
    guard.requireOperator();
    return new ProviderList(catalog.snapshot().providers().values().stream()
        .sorted(Comparator.comparing(Provider::name)).map(ProviderView::of).toList());
  }

  @GetMapping("/api/v1/providers/{name}")
  @Operation(summary = "Get an upstream provider, key masked (operator)")
  ProviderView provider(@PathVariable String name) {
    guard.requireOperator();
    Provider p = catalog.snapshot().providers().get(name);
    if (p == null) {
      throw new NotFoundException("provider", name);
    }
    return ProviderView.of(p);
  }

  @PutMapping("/api/v1/providers/{name}")
  @Operation(summary = "Create or replace an upstream provider (operator)")
  ProviderView putProvider(@PathVariable String name, @Valid @RequestBody PutProvider body) {
    Caller caller = guard.requireOperator();
    ProviderView view = ProviderView.of(catalog.putProvider(name, ProviderType.parse(body.type()), body.baseUrl(),
        body.apiKey(), body.maxConcurrency()));
    audit(caller, "provider", name, "put");
    return view;
  }

  @org.springframework.web.bind.annotation.PostMapping("/api/v1/providers/{name}/test")
  @Operation(summary = "Test a provider: one cheap real call (its model list) with the platform key; says whether it "
      + "answered, how fast, and why not (operator)")
  dev.reef.gateway.CatalogAdministration.ConnectionTest testProvider(@PathVariable String name) {
    guard.requireOperator();
    Catalog.Snapshot snapshot = catalog.snapshot();
    Provider provider = snapshot.providers().get(name);
    if (provider == null) {
      throw new NotFoundException("provider", name);
    }
    return ProviderCheck.check(provider, snapshot.providerKeys().get(name));
  }

  @DeleteMapping("/api/v1/providers/{name}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a provider that serves no model (operator)")
  void deleteProvider(@PathVariable String name) {
    Caller caller = guard.requireOperator();
    catalog.deleteProvider(name);
    audit(caller, "provider", name, "delete");
  }

  @GetMapping("/api/v1/models")
  @Operation(summary = "List the model catalog with prices (operator)")
  ModelList models() {
    guard.requireOperator();
    return new ModelList(catalog.snapshot().models().values().stream()
        .sorted(Comparator.comparing(Model::id)).map(ModelView::of).toList());
  }

  @GetMapping("/api/v1/models/{modelId}")
  @Operation(summary = "Get a model (operator)")
  ModelView model(@PathVariable String modelId) {
    guard.requireOperator();
    Model m = catalog.snapshot().models().get(modelId);
    if (m == null) {
      throw new NotFoundException("model", modelId);
    }
    return ModelView.of(m);
  }

  @PutMapping("/api/v1/models/{modelId}")
  @Operation(summary = "Create or replace a model and its prices, USD per million tokens (operator)")
  ModelView putModel(@PathVariable String modelId, @Valid @RequestBody PutModel body) {
    Caller caller = guard.requireOperator();
    ModelView view = ModelView.of(catalog.putModel(modelId, body.provider(), body.upstreamModel(),
        body.inputUsdPerMTok(), body.outputUsdPerMTok(), body.cachedInputUsdPerMTok(), body.fallbacks(),
        body.answerWithUpstreamModel()));
    audit(caller, "model", modelId, "put");
    return view;
  }

  @DeleteMapping("/api/v1/models/{modelId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a model (operator)")
  void deleteModel(@PathVariable String modelId) {
    Caller caller = guard.requireOperator();
    catalog.deleteModel(modelId);
    audit(caller, "model", modelId, "delete");
  }

  @GetMapping("/api/v1/plans/{planId}/llm-access")
  @Operation(summary = "Which models a plan allows and whether BYOK spend counts against its budget (operator)")
  PlanAccessView planAccess(@PathVariable String planId) {
    guard.requireOperator();
    return PlanAccessView.of(catalog.snapshot().access(planId));
  }

  @PutMapping("/api/v1/plans/{planId}/llm-access")
  @Operation(summary = "Restrict a plan's models and set its BYOK budget rule (operator)")
  PlanAccessView putPlanAccess(@PathVariable String planId, @Valid @RequestBody PutPlanAccess body) {
    Caller caller = guard.requireOperator();
    PlanAccessView view = PlanAccessView.of(catalog.putPlanAccess(planId, body.models(),
        body.byokCountsAgainstBudget()));
    audit(caller, "plan_access", planId, "put");
    return view;
  }
}
