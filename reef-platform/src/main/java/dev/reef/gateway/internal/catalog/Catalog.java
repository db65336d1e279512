package dev.reef.gateway.internal.catalog;

import dev.reef.common.ConflictException;
import dev.reef.common.DataScope;
import dev.reef.platform.DatabaseOutage;
import dev.reef.platform.OutageTolerantCache;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.gateway.LlmCatalog;
import dev.reef.gateway.ProviderType;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The proxy's view of providers, models and plan access, held in memory so a request never waits on the database
 * for it. Changes made through this replica apply at once; changes made on another replica arrive with the
 * periodic refresh (every few seconds).
 *
 * <p>Provider keys are decrypted into the snapshot because every call needs them; BYOK keys are decrypted on first
 * use per tenant and cached briefly.
 */
@Service
public class Catalog implements LlmCatalog, org.springframework.beans.factory.InitializingBean {

  static final Pattern PROVIDER_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
  static final Pattern MODEL_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$");
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);
  private static final BigDecimal MAX_PRICE = BigDecimal.valueOf(100_000);

  private final CatalogRepository repository;
  private final ProviderKeyRepository providerKeys;
  private final SecretStore secrets;
  private final TransactionTemplate tx;
  private final Clock clock;
  /** Tenants' own keys, decrypted, by provider; kept while the database cannot be reached. */
  private final OutageTolerantCache<TenantId, Map<String, String>> byokKeys;
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile boolean stale;

  /** An immutable view of the catalog; {@code providerKeys} holds decrypted platform keys by provider name. */
  public record Snapshot(Map<String, Provider> providers, Map<String, Model> models, Map<String, String> providerKeys,
      Map<String, PlanAccess> plans) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of());

    public PlanAccess access(String planId) {
      return plans.getOrDefault(planId, PlanAccess.openTo(planId));
    }
  }

  Catalog(CatalogRepository repository, ProviderKeyRepository providerKeys, SecretStore secrets,
      TransactionTemplate tx, Clock clock) {
    this.repository = repository;
    this.providerKeys = providerKeys;
    this.secrets = secrets;
    this.tx = tx;
    this.clock = clock;
    this.byokKeys = new OutageTolerantCache<>(Duration.ofSeconds(30), 100_000,
        t -> DataScope.callAs(t, () -> tx.execute(s -> {
          Map<String, String> found = new LinkedHashMap<>();
          for (ProviderKeyRepository.ProviderKey k : providerKeys.list(t)) {
            found.put(k.provider(), secrets.reveal(k.secret()));
          }
          return Map.copyOf(found);
        })));
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  @Override
  public List<String> modelsFor(String planId) {
    PlanAccess access = snapshot.access(planId);
    return snapshot.models().keySet().stream().filter(access::allows).sorted().toList();
  }

  @Override
  public boolean byokCountsAgainstBudget(String planId) {
    return snapshot.access(planId).byokCountsAgainstBudget();
  }

  @Override
  public void afterPropertiesSet() {
    refresh();
  }

  /**
   * Picks up what other replicas changed. While the database cannot be reached the catalog stays as it was (LLM
   * calls go on with it), said once, not at every refresh.
   */
  @Scheduled(initialDelayString = "${reef.gateway.catalog-refresh:5s}", fixedDelayString = "${reef.gateway.catalog-refresh:5s}")
  void refreshPeriodically() {
    try {
      refresh();
      if (stale) {
        stale = false;
        log.info("The LLM catalog is read from the database again");
      }
    } catch (RuntimeException e) {
      if (!DatabaseOutage.causedBy(e)) {
        throw e;
      }
      if (!stale) {
        stale = true;
        log.warn("The database cannot be reached; LLM calls go on with the catalog as it was");
      }
    }
  }

  /**
   * Reads the catalog anew. One at a time: otherwise a periodic refresh that read the tables just before a change
   * committed could finish after the change's own refresh and put the old catalog back (a provider just added
   * would be "not found" for up to one refresh interval).
   */
  public synchronized void refresh() {
    snapshot = DataScope.callAsPlatform(() -> tx.execute(status -> {
      Map<String, Provider> providers = index(repository.providers(), Provider::name);
      Map<String, String> keys = new LinkedHashMap<>();
      for (Provider p : providers.values()) {
        if (p.apiKey() != null) {
          try {
            keys.put(p.name(), secrets.reveal(p.apiKey()));
          } catch (RuntimeException e) {
            log.error("Cannot decrypt the API key of provider {}: {}", p.name(), e.getMessage());
          }
        }
      }
      return new Snapshot(providers, index(repository.models(), Model::id), Map.copyOf(keys),
          index(repository.planAccess(), PlanAccess::planId));
    }));
  }

  // --- operator changes ---

  /** {@code apiKey}: null keeps the stored key, empty removes it, anything else replaces it. */
  public Provider putProvider(String name, ProviderType type, String baseUrl, String apiKey, Integer maxConcurrency) {
    checkProviderName(name);
    String url = checkBaseUrl(baseUrl);
    int max = maxConcurrency == null ? 64 : maxConcurrency;
    if (max < 1 || max > 10_000) {
      throw new InvalidRequestException("maxConcurrency", "must be between 1 and 10000");
    }
    Provider saved = platformTx(() -> {
      Optional<Provider> existing = repository.provider(name);
      Instant now = clock.instant();
      SecretRef ref = existing.map(Provider::apiKey).orElse(null);
      String hint = existing.map(Provider::apiKeyHint).orElse(null);
      if (apiKey != null && apiKey.isEmpty()) {
        if (ref != null) {
          secrets.delete(ref);
        }
        ref = null;
        hint = null;
      } else if (apiKey != null) {
        checkKey(apiKey, "apiKey");
        if (ref == null) {
          ref = secrets.putPlatform("provider:" + name, apiKey);
        } else {
          secrets.replace(ref, apiKey);
        }
        hint = SecretStore.mask(apiKey);
      }
      Provider p = new Provider(name, type, url, ref, hint, max,
          existing.map(Provider::createdAt).orElse(now), now);
      repository.upsertProvider(p);
      return p;
    });
    refresh();
    return saved;
  }

  public void deleteProvider(String name) {
    platformTx(() -> {
      Provider p = repository.provider(name).orElseThrow(() -> new NotFoundException("provider", name));
      if (repository.countModelsOf(name) > 0) {
        throw new ConflictException("Provider " + name + " still serves models; delete or move them first.");
      }
      repository.deleteProvider(name);
      if (p.apiKey() != null) {
        secrets.delete(p.apiKey());
      }
      return null;
    });
    refresh();
  }

  public Model putModel(String id, String provider, String upstreamModel, BigDecimal input, BigDecimal output,
      BigDecimal cachedInput, List<String> fallbacks) {
    return putModel(id, provider, upstreamModel, input, output, cachedInput, fallbacks, null);
  }

  /** {@code answerWithUpstreamModel} null keeps what the model had (false for a new one). */
  public Model putModel(String id, String provider, String upstreamModel, BigDecimal input, BigDecimal output,
      BigDecimal cachedInput, List<String> fallbacks, Boolean answerWithUpstreamModel) {
    if (!MODEL_ID.matcher(id).matches()) {
      throw new InvalidRequestException("modelId",
          "must be 1 to 128 letters, digits and . _ : @ - (no slashes), starting with a letter or digit");
    }
    checkPrice("inputUsdPerMTok", input);
    checkPrice("outputUsdPerMTok", output);
    BigDecimal cached = cachedInput == null ? input : cachedInput;
    checkPrice("cachedInputUsdPerMTok", cached);
    if (upstreamModel == null || upstreamModel.isBlank() || upstreamModel.length() > 200) {
      throw new InvalidRequestException("upstreamModel", "must be 1 to 200 characters");
    }
    List<String> chain = fallbacks == null ? List.of() : List.copyOf(fallbacks);
    Model saved = platformTx(() -> {
      if (repository.provider(provider).isEmpty()) {
        throw new InvalidRequestException("provider", "no provider '" + provider + "'; create it first");
      }
      for (String fallback : chain) {
        if (fallback.equals(id) || repository.model(fallback).isEmpty()) {
          throw new InvalidRequestException("fallbacks", "'" + fallback + "' is not another model in the catalog");
        }
      }
      Instant now = clock.instant();
      Optional<Model> existing = repository.model(id);
      boolean upstreamName = answerWithUpstreamModel != null ? answerWithUpstreamModel
          : existing.map(Model::answerWithUpstreamModel).orElse(false);
      Model m = new Model(id, provider, upstreamModel.trim(), input, output, cached, chain, upstreamName,
          existing.map(Model::createdAt).orElse(now), now);
      repository.upsertModel(m);
      return m;
    });
    refresh();
    return saved;
  }

  public void deleteModel(String id) {
    platformTx(() -> {
      if (!repository.deleteModel(id)) {
        throw new NotFoundException("model", id);
      }
      return null;
    });
    refresh();
  }

  public PlanAccess putPlanAccess(String planId, Set<String> models, boolean byokCountsAgainstBudget) {
    PlanAccess access = new PlanAccess(planId, models == null ? null : Set.copyOf(models), byokCountsAgainstBudget);
    platformTx(() -> {
      if (!repository.planExists(planId)) {
        throw new NotFoundException("plan", planId);
      }
      repository.replacePlanAccess(access);
      return null;
    });
    refresh();
    return access;
  }

  // --- tenants' own keys ---

  /** The tenant's own key for a provider, decrypted; empty if it has none. Runs in the tenant's scope. */
  public Optional<String> byokKey(TenantId tenantId, String provider) {
    return Optional.ofNullable(byokKeys.get(tenantId).get(provider));
  }

  public ProviderKeyRepository.ProviderKey putByokKey(TenantId tenantId, String provider, String apiKey) {
    checkKey(apiKey, "apiKey");
    if (!snapshot.providers().containsKey(provider)) {
      throw new NotFoundException("provider", provider);
    }
    ProviderKeyRepository.ProviderKey saved = tx.execute(s -> {
      Instant now = clock.instant();
      Optional<ProviderKeyRepository.ProviderKey> existing = providerKeys.find(tenantId, provider);
      if (existing.isPresent()) {
        secrets.replace(existing.get().secret(), apiKey);
        providerKeys.updateHint(tenantId, provider, SecretStore.mask(apiKey), now);
      } else {
        SecretRef ref = secrets.put(tenantId, "byok:" + provider, apiKey);
        providerKeys.insert(tenantId, new ProviderKeyRepository.ProviderKey(tenantId, provider, ref,
            SecretStore.mask(apiKey), now, now));
      }
      return providerKeys.find(tenantId, provider).orElseThrow();
    });
    byokKeys.invalidate(tenantId);
    return saved;
  }

  public void deleteByokKey(TenantId tenantId, String provider) {
    tx.execute(s -> {
      ProviderKeyRepository.ProviderKey key = providerKeys.find(tenantId, provider)
          .orElseThrow(() -> new NotFoundException("provider key", provider));
      providerKeys.delete(tenantId, provider);
      secrets.delete(key.secret());
      return null;
    });
    byokKeys.invalidate(tenantId);
  }

  public List<ProviderKeyRepository.ProviderKey> byokKeys(TenantId tenantId) {
    return tx.execute(s -> providerKeys.list(tenantId));
  }

  public Optional<ProviderKeyRepository.ProviderKey> byokKeyInfo(TenantId tenantId, String provider) {
    return tx.execute(s -> providerKeys.find(tenantId, provider));
  }

  // --- checks ---

  static void checkProviderName(String name) {
    if (name == null || !PROVIDER_NAME.matcher(name).matches()) {
      throw new InvalidRequestException("name", "must be 1 to 64 lower-case letters, digits, '-' or '_'");
    }
  }

  private static String checkBaseUrl(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl == null ? "" : baseUrl.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("baseUrl", "must be an http(s) URL such as https://api.openai.com/v1");
    }
    // a URL is stored and shown as it is: a password in it would be a secret in plain text
    if (uri.getRawUserInfo() != null) {
      throw new InvalidRequestException("baseUrl", "must not carry credentials (user:password@): give the "
          + "provider's key as apiKey, which is stored encrypted and never shown again");
    }
    try {
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      String text = uri.toString();
      return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("baseUrl", "must be an http(s) URL such as https://api.openai.com/v1");
    }
  }

  private static void checkKey(String key, String field) {
    if (key.isBlank() || key.length() > 500 || key.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidRequestException(field, "must be 1 to 500 characters without spaces");
    }
  }

  private static void checkPrice(String field, BigDecimal price) {
    if (price == null || price.signum() < 0 || price.compareTo(MAX_PRICE) > 0 || price.scale() > 6) {
      throw new InvalidRequestException(field, "must be a price in USD per million tokens, 0 to 100000");
    }
  }

  private <T> T platformTx(java.util.function.Supplier<T> work) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> work.get()));
  }

  private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
    return items.stream().collect(Collectors.toUnmodifiableMap(key, Function.identity()));
  }
}
