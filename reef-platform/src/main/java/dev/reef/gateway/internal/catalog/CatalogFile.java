package dev.reef.gateway.internal.catalog;

import dev.reef.gateway.ProviderType;
import dev.reef.gateway.internal.upstream.GatewayProperties;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * GitOps: providers, models and plan access declared in a YAML (or JSON) file, {@code REEF_GATEWAY_CATALOG_FILE},
 * applied at every start-up. Entries in the file are created or replaced; entries only in the database are left
 * alone. Provider keys are never written in the file: {@code apiKeyEnv} names the environment variable holding
 * each. See docs/gateway.md for the format.
 */
@Component
final class CatalogFile implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(CatalogFile.class);

  private final Catalog catalog;
  private final GatewayProperties properties;
  private final Environment environment;

  CatalogFile(Catalog catalog, GatewayProperties properties, Environment environment) {
    this.catalog = catalog;
    this.properties = properties;
    this.environment = environment;
  }

  @Override
  public void run(ApplicationArguments args) throws IOException {
    String file = properties.catalogFile();
    if (file == null || file.isBlank()) {
      return;
    }
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalStateException("REEF_GATEWAY_CATALOG_FILE points at " + path.toAbsolutePath()
          + ", which cannot be read");
    }
    try (Reader reader = Files.newBufferedReader(path)) {
      apply(parse(reader));
    }
    log.info("Applied the LLM catalog file {}", path.toAbsolutePath());
  }

  /** YAML is a superset of JSON, so one parser reads both. */
  static Map<String, Object> parse(Reader reader) {
    Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    return parsed == null ? Map.of() : asMap(parsed, "the file");
  }

  void apply(Map<String, Object> root) {
    asMap(root.getOrDefault("providers", Map.of()), "providers").forEach((name, value) -> {
      Map<String, Object> p = asMap(value, "providers." + name);
      String keyEnv = string(p, "apiKeyEnv");
      String key = keyEnv == null ? null : environment.getProperty(keyEnv);
      if (keyEnv != null && (key == null || key.isBlank())) {
        throw new IllegalStateException("providers." + name + ".apiKeyEnv names " + keyEnv + ", which is not set");
      }
      Object max = p.get("maxConcurrency");
      catalog.putProvider(name, ProviderType.parse(string(p, "type")), string(p, "baseUrl"), key,
          max == null ? null : ((Number) max).intValue());
    });
    // Models may name each other as fallbacks: create them all first, then set the fallbacks.
    Map<String, Object> models = asMap(root.getOrDefault("models", Map.of()), "models");
    for (boolean withFallbacks : new boolean[] {false, true}) {
      models.forEach((id, value) -> {
        Map<String, Object> m = asMap(value, "models." + id);
        catalog.putModel(id, string(m, "provider"), string(m, "upstreamModel"),
            decimal(m, "inputUsdPerMTok"), decimal(m, "outputUsdPerMTok"), decimal(m, "cachedInputUsdPerMTok"),
            withFallbacks ? strings(m.get("fallbacks")) : List.of(),
            m.get("answerWithUpstreamModel") instanceof Boolean b ? b : null);
      });
    }
    asMap(root.getOrDefault("plans", Map.of()), "plans").forEach((planId, value) -> {
      Map<String, Object> plan = asMap(value, "plans." + planId);
      Object list = plan.get("models");
      catalog.putPlanAccess(planId, list == null ? null : new LinkedHashSet<>(strings(list)),
          Boolean.TRUE.equals(plan.get("byokCountsAgainstBudget")));
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value, String where) {
    if (value instanceof Map<?, ?> map) {
      return (Map<String, Object>) map;
    }
    throw new IllegalStateException("REEF_GATEWAY_CATALOG_FILE: " + where + " must be a mapping");
  }

  private static String string(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value == null ? null : value.toString();
  }

  private static BigDecimal decimal(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value == null ? null : new BigDecimal(value.toString());
  }

  private static List<String> strings(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Object::toString).toList();
    }
    throw new IllegalStateException("REEF_GATEWAY_CATALOG_FILE: expected a list, got " + value);
  }
}
