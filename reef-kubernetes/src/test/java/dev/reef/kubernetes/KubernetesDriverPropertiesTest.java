package dev.reef.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesDriverPropertiesTest {

  private static KubernetesDriverProperties of(String prefix, String selector, String proxyUrl, int reefPort) {
    return new KubernetesDriverProperties(prefix, null, null, null, null, null, null, 0, null, null, selector,
        proxyUrl, null, reefPort, 0, null, null, null, null);
  }

  @Test
  void defaults_areTheDocumentedOnes() {
    KubernetesDriverProperties p = of(null, null, null, 0).validated();

    assertThat(p.namespacePrefix()).isEqualTo("reef-t-");
    assertThat(p.imageFor("openclaw", "2026.9.6")).isEqualTo("ghcr.io/reef-dev/openclaw-agent:2026.9.6");
    assertThat(p.imagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(p.runtimeClassName()).isNull();
    assertThat(p.storageClass()).isNull();
    assertThat(p.storageSize()).isEqualTo("5Gi");
    assertThat(p.runAsUser()).isEqualTo(1000);
    assertThat(p.readOnlyRootFilesystem()).isTrue();
    assertThat(p.proxyUrl()).isEqualTo("http://reef.reef.svc:8080/v1");
    assertThat(p.reefPodPort()).isEqualTo(8080);
    assertThat(p.reefPodLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "reef"));
    assertThat(p.agentPort()).isEqualTo(18799);
    assertThat(p.startTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void image_withoutPlaceholders_isUsedAsItIs() {
    KubernetesDriverProperties p = new KubernetesDriverProperties(null, "registry.local/agents/openclaw:pinned", null,
        null, null, null, null, 0, null, null, null, null, null, 0, 0, null, null, null, null);

    assertThat(p.imageFor("openclaw", "2026.9.6")).isEqualTo("registry.local/agents/openclaw:pinned");
  }

  @Test
  void reefPort_followsTheProxyUrl_unlessSet() {
    assertThat(of(null, null, "https://reef.reef.svc/v1", 0).reefPodPort()).isEqualTo(443);
    assertThat(of(null, null, "http://reef.reef.svc/v1", 0).reefPodPort()).isEqualTo(80);
    assertThat(of(null, null, "http://reef.reef.svc/v1", 8080).reefPodPort()).isEqualTo(8080);
  }

  @Test
  void selector_isParsedIntoLabels() {
    assertThat(of(null, "app.kubernetes.io/name=reef, app.kubernetes.io/instance=prod", null, 0).reefPodLabels())
        .containsExactly(Map.entry("app.kubernetes.io/name", "reef"), Map.entry("app.kubernetes.io/instance", "prod"));
  }

  @Test
  void wrongSettings_failNamingTheVariable() {
    assertThatThrownBy(() -> of("Reef_T", null, null, 0).validated())
        .hasMessageContaining("REEF_KUBERNETES_NAMESPACE_PREFIX");
    assertThatThrownBy(() -> of(null, "app", null, 0).validated())
        .hasMessageContaining("REEF_KUBERNETES_REEF_POD_SELECTOR");
    assertThatThrownBy(() -> of(null, null, "reef:8080", 0).validated())
        .hasMessageContaining("REEF_KUBERNETES_PROXY_URL");
  }

  @Test
  void wrongSettings_doNotFailBinding_forAReefThatRunsAnotherDriver() {
    assertThat(of("Not A Prefix", "garbage", "nonsense", 0).namespacePrefix()).isEqualTo("Not A Prefix");
  }
}
