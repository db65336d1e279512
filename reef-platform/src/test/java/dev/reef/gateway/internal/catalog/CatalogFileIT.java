package dev.reef.gateway.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.testing.ReefIT;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class CatalogFileIT extends ReefIT {

  @Autowired
  CatalogFile file;

  @Autowired
  Catalog catalog;

  @Test
  void apply_createsProvidersModelsWithFallbacksAndPlanAccess_keyFromEnvironment() {
    String p = unique("gitops");
    System.setProperty("GITOPS_TEST_KEY", "sk-from-the-environment-1234");
    String yaml = """
        providers:
          %1$s:
            type: openai
            baseUrl: http://127.0.0.1:9/v1
            apiKeyEnv: GITOPS_TEST_KEY
            maxConcurrency: 7
        models:
          %1$s-big:
            provider: %1$s
            upstreamModel: big-upstream
            inputUsdPerMTok: 2.5
            outputUsdPerMTok: 10
            fallbacks: [%1$s-small]
          %1$s-small:
            provider: %1$s
            upstreamModel: small-upstream
            inputUsdPerMTok: 0.15
            outputUsdPerMTok: 0.6
            cachedInputUsdPerMTok: 0.075
        plans:
          default:
            byokCountsAgainstBudget: false
        """.formatted(p);
    file.apply(CatalogFile.parse(new StringReader(yaml)));

    Catalog.Snapshot snapshot = catalog.snapshot();
    assertThat(snapshot.providers().get(p).maxConcurrency()).isEqualTo(7);
    assertThat(snapshot.providerKeys().get(p)).isEqualTo("sk-from-the-environment-1234");
    assertThat(snapshot.providers().get(p).apiKeyHint()).endsWith("1234").doesNotContain("sk-from");
    assertThat(snapshot.models().get(p + "-big").fallbacks()).containsExactly(p + "-small");
    assertThat(snapshot.models().get(p + "-small").cachedInputUsdPerMTok()).isEqualByComparingTo("0.075");
    assertThat(snapshot.models().get(p + "-big").cachedInputUsdPerMTok()).as("defaults to the input price")
        .isEqualByComparingTo("2.5");
  }

  @Test
  void apply_missingKeyVariable_failsNamingIt() {
    String yaml = """
        providers:
          nokey:
            type: openai
            baseUrl: http://127.0.0.1:9/v1
            apiKeyEnv: SURELY_NOT_SET_ANYWHERE
        """;
    assertThatThrownBy(() -> file.apply(CatalogFile.parse(new StringReader(yaml))))
        .hasMessageContaining("SURELY_NOT_SET_ANYWHERE");
  }
}
