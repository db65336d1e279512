package dev.reef.gateway.internal.catalog;

import dev.reef.gateway.ProviderType;
import dev.reef.platform.Jdbc;
import dev.reef.secrets.SecretRef;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Providers, models and plan access: platform-level rows, written by the operator only. */
@Repository
@Transactional
public class CatalogRepository {

  private final JdbcClient jdbc;

  CatalogRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public List<Provider> providers() {
    return jdbc.sql("select * from providers order by name").query((rs, n) -> provider(rs)).list();
  }

  public Optional<Provider> provider(String name) {
    return jdbc.sql("select * from providers where name = :n").param("n", name).query((rs, n) -> provider(rs))
        .optional();
  }

  public void upsertProvider(Provider p) {
    int updated = jdbc.sql("""
        update providers set type = :type, base_url = :url, api_key_secret = :secret, api_key_hint = :hint,
          max_concurrency = :max, updated_at = :now where name = :name""")
        .params(providerParams(p)).update();
    if (updated == 0) {
      jdbc.sql("""
          insert into providers (name, type, base_url, api_key_secret, api_key_hint, max_concurrency, created_at,
            updated_at) values (:name, :type, :url, :secret, :hint, :max, :created, :now)""")
          .params(providerParams(p)).param("created", Jdbc.timestamp(p.createdAt())).update();
    }
  }

  public boolean deleteProvider(String name) {
    return jdbc.sql("delete from providers where name = :n").param("n", name).update() > 0;
  }

  public long countModelsOf(String provider) {
    return jdbc.sql("select count(*) from models where provider = :p").param("p", provider).query(Long.class)
        .single();
  }

  public List<Model> models() {
    return jdbc.sql("select * from models order by id").query((rs, n) -> model(rs)).list();
  }

  public Optional<Model> model(String id) {
    return jdbc.sql("select * from models where id = :id").param("id", id).query((rs, n) -> model(rs)).optional();
  }

  public void upsertModel(Model m) {
    Map<String, Object> params = Map.of("id", m.id(), "provider", m.provider(), "upstream", m.upstreamModel(),
        "in", m.inputUsdPerMTok(), "out", m.outputUsdPerMTok(), "cached", m.cachedInputUsdPerMTok(),
        "fallbacks", String.join(",", m.fallbacks()), "now", Jdbc.timestamp(m.updatedAt()),
        "upstreamName", m.answerWithUpstreamModel());
    int updated = jdbc.sql("""
        update models set provider = :provider, upstream_model = :upstream, input_usd_per_mtok = :in,
          output_usd_per_mtok = :out, cached_input_usd_per_mtok = :cached, fallbacks = :fallbacks,
          answer_with_upstream_model = :upstreamName, updated_at = :now where id = :id""").params(params).update();
    if (updated == 0) {
      jdbc.sql("""
          insert into models (id, provider, upstream_model, input_usd_per_mtok, output_usd_per_mtok,
            cached_input_usd_per_mtok, fallbacks, answer_with_upstream_model, created_at, updated_at)
          values (:id, :provider, :upstream, :in, :out, :cached, :fallbacks, :upstreamName, :created, :now)""")
          .params(params).param("created", Jdbc.timestamp(m.createdAt())).update();
    }
  }

  public boolean deleteModel(String id) {
    return jdbc.sql("delete from models where id = :id").param("id", id).update() > 0;
  }

  public List<PlanAccess> planAccess() {
    Map<String, Set<String>> models = jdbc.sql("select plan_id, model_id from plan_models order by model_id")
        .query((rs, n) -> Map.entry(rs.getString(1), rs.getString(2))).list().stream()
        .collect(Collectors.groupingBy(Map.Entry::getKey,
            Collectors.mapping(Map.Entry::getValue, Collectors.toCollection(LinkedHashSet::new))));
    return jdbc.sql("select * from plan_llm_access order by plan_id")
        .query((rs, n) -> new PlanAccess(rs.getString("plan_id"),
            rs.getBoolean("restrict_models") ? Set.copyOf(models.getOrDefault(rs.getString("plan_id"), Set.of()))
                : null,
            rs.getBoolean("byok_counts_against_budget")))
        .list();
  }

  public boolean planExists(String planId) {
    return jdbc.sql("select count(*) from plans where id = :p").param("p", planId).query(Long.class).single() > 0;
  }

  public void replacePlanAccess(PlanAccess access) {
    jdbc.sql("delete from plan_models where plan_id = :p").param("p", access.planId()).update();
    jdbc.sql("delete from plan_llm_access where plan_id = :p").param("p", access.planId()).update();
    jdbc.sql("""
        insert into plan_llm_access (plan_id, restrict_models, byok_counts_against_budget)
        values (:p, :restrict, :byok)""")
        .param("p", access.planId()).param("restrict", access.models() != null)
        .param("byok", access.byokCountsAgainstBudget()).update();
    if (access.models() != null) {
      for (String model : access.models()) {
        jdbc.sql("insert into plan_models (plan_id, model_id) values (:p, :m)").param("p", access.planId())
            .param("m", model).update();
      }
    }
  }

  private static Map<String, Object> providerParams(Provider p) {
    java.util.HashMap<String, Object> params = new java.util.HashMap<>();
    params.put("name", p.name());
    params.put("type", p.type().name());
    params.put("url", p.baseUrl());
    params.put("secret", p.apiKey() == null ? null : p.apiKey().id());
    params.put("hint", p.apiKeyHint());
    params.put("max", p.maxConcurrency());
    params.put("now", Jdbc.timestamp(p.updatedAt()));
    return params;
  }

  private static Provider provider(ResultSet rs) throws SQLException {
    UUID secret = Jdbc.uuid(rs, "api_key_secret");
    return new Provider(rs.getString("name"), ProviderType.valueOf(rs.getString("type")), rs.getString("base_url"),
        secret == null ? null : new SecretRef(secret), rs.getString("api_key_hint"), rs.getInt("max_concurrency"),
        Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }

  private static Model model(ResultSet rs) throws SQLException {
    String fallbacks = rs.getString("fallbacks");
    return new Model(rs.getString("id"), rs.getString("provider"), rs.getString("upstream_model"),
        rs.getBigDecimal("input_usd_per_mtok"), rs.getBigDecimal("output_usd_per_mtok"),
        rs.getBigDecimal("cached_input_usd_per_mtok"),
        fallbacks == null || fallbacks.isBlank() ? List.of() : Arrays.asList(fallbacks.split(",")),
        rs.getBoolean("answer_with_upstream_model"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "updated_at"));
  }
}
