package dev.reef.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.TenantId;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.ComputeDriverContract;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared driver contract against the kubernetes driver over a simulated cluster ({@link SimulatedCluster}): its
 * pods "run" as soon as they are made, and end when a test says so. {@link dev.reef.orchestration.RunningAgentContract}
 * (HTTP to the agent, its environment and processes) cannot run here: nothing runs in the mock's pods.
 */
class KubernetesComputeDriverIT extends ComputeDriverContract {

  final SimulatedCluster cluster = new SimulatedCluster();
  private final List<AutoCloseable> opened = new ArrayList<>();

  KubernetesDriverProperties properties() {
    return new KubernetesDriverProperties("reef-t-", null, null, "gvisor", "fast-ssd", "2Gi", null, 0, null, "reef",
        "app.kubernetes.io/name=reef,app.kubernetes.io/instance=prod", proxy.openAiBaseUrl(), null, 8080, 0, null,
        null,
        null, Duration.ofSeconds(10)).validated();
  }

  @Override
  protected ComputeDriver newDriver() {
    KubernetesClient client = cluster.newClient();
    KubernetesDriverProperties properties = properties();
    KubernetesComputeDriver driver = new KubernetesComputeDriver(client, properties,
        new TenantNamespaces(client, new TenantObjects(properties)), Clock.systemUTC());
    opened.add(client);
    opened.add(driver);
    return driver;
  }

  /** After every {@code @AfterEach} (the contract's destroys agents through a driver): drivers, then the cluster. */
  @RegisterExtension
  final AfterEachCallback closeCluster = context -> {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
    cluster.close();
  };

  @Override
  protected void awaitUp(Placement p) {
    await().atMost(Duration.ofSeconds(10)).until(() -> driver().observe(p) instanceof Observed.Running);
  }

  @Override
  protected void assertDown(Placement p) {
    AgentNames names = names(p);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(cluster.client().pods().inNamespace(names.namespace()).withName(names.pod()).get()).isNull());
    StatefulSet set = statefulSet(p);
    assertThat(set == null || set.getSpec().getReplicas() == 0).isTrue();
  }

  @Override
  protected Placement startEnding(Placement p, int exitCode, String line) {
    AgentNames names = names(p);
    cluster.endNextPod(names.namespace(), names.statefulSet(), exitCode, "Error", line);
    return driver().start(p, fakeAgent(p));
  }

  @Override
  protected void killAgentProcess(Placement running) {
    AgentNames names = names(running);
    cluster.endPod(names.namespace(), names.pod(), 137, "Error");
  }

  private final List<Placement> unrelated = new ArrayList<>();

  /** Another tenant's agent, running, whose namespace and StatefulSet the impostor placement names. */
  @Override
  protected Placement pointingAtUnrelated(Placement placement) {
    ComputeDriver other = newDriver();
    TenantId otherTenant = TenantId.random();
    UUID otherAgent = UUID.randomUUID();
    Placement victim = other.create(new dev.reef.orchestration.AgentSpec(otherTenant, otherAgent, "victim",
        "fake", "1.0.0", 512, 1000, PORT));
    victim = other.start(victim, fakeAgent(victim));
    unrelated.add(victim);
    Map<String, String> attributes = new HashMap<>(placement.attributes());
    attributes.putAll(victim.attributes());
    return new Placement(placement.driver(), placement.tenantId(), placement.agentId(), placement.listenHost(),
        placement.listenPort(), victim.address(), placement.paths(), placement.proxyBaseUrl(),
        placement.egressProxyUrl(), attributes);
  }

  @Override
  protected boolean unrelatedAlive() {
    return unrelated.stream().allMatch(v -> {
      AgentNames names = names(v);
      Pod pod = cluster.client().pods().inNamespace(names.namespace()).withName(names.pod()).get();
      return pod != null && PodStates.observed(pod).filter(o -> o instanceof Observed.Running).isPresent();
    });
  }

  /**
   * The launch's files reach the agent through a Secret only its pod mounts, read-only for the agent's user (0400),
   * and are copied with umask 077 into its own volume; the pod runs as a non-root user with no API token.
   */
  @Override
  protected void assertPrivate(Placement placement) {
    PodSpec spec = statefulSet(placement).getSpec().getTemplate().getSpec();
    var launch = spec.getVolumes().stream().filter(v -> v.getName().equals("launch")).findFirst().orElseThrow();
    assertThat(launch.getSecret().getDefaultMode()).isEqualTo(0400);
    assertThat(launch.getSecret().getItems()).allSatisfy(i -> assertThat(i.getMode()).isEqualTo(0400));
    assertThat(String.join(" ", spec.getInitContainers().getFirst().getCommand())).contains("umask 077");
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
  }

  @Override
  protected boolean anythingLeft(Placement p) {
    AgentNames names = names(p);
    KubernetesClient c = cluster.client();
    return c.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).get() != null
        || c.services().inNamespace(names.namespace()).withName(names.service()).get() != null
        || c.secrets().inNamespace(names.namespace()).withName(names.secret()).get() != null
        || c.persistentVolumeClaims().inNamespace(names.namespace()).withName(names.claim()).get() != null
        || c.pods().inNamespace(names.namespace()).withName(names.pod()).get() != null;
  }

  @Override
  protected void assertProxyBaseUrl(Placement p) {
    super.assertProxyBaseUrl(p);
    assertThat(p.listenHost()).isEqualTo("0.0.0.0");
  }

  AgentNames names(Placement p) {
    return AgentNames.of("reef-t-", p.tenantId(), p.agentId());
  }

  StatefulSet statefulSet(Placement p) {
    AgentNames names = names(p);
    return cluster.client().apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).get();
  }
}
