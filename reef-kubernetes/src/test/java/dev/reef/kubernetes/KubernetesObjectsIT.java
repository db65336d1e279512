package dev.reef.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.TenantQuota;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Exactly which objects deploy, stop, start and destroy leave in a (simulated) cluster, what their specs say, and
 * that a tenant's limits shape its namespace and follow every change.
 */
class KubernetesObjectsIT {

  private static final String PROXY = "http://reef.reef.svc:8080/v1";

  private final SimulatedCluster cluster = new SimulatedCluster();
  private final KubernetesClient api = cluster.client();
  private final KubernetesDriverProperties properties = new KubernetesDriverProperties("reef-t-", null, null,
      "gvisor", "fast-ssd", "2Gi", null, 0, null, "reef", "app.kubernetes.io/name=reef", PROXY, null, 0, 0, null, null,
      null, Duration.ofSeconds(5)).validated();
  private final KubernetesClient driverClient = cluster.newClient();
  private final TenantNamespaces tenants = new TenantNamespaces(driverClient, new TenantObjects(properties));
  private final KubernetesComputeDriver driver = new KubernetesComputeDriver(driverClient, properties, tenants,
      Clock.systemUTC());
  private final TenantId tenant = TenantId.random();

  @AfterEach
  void close() {
    driver.close();
    driverClient.close();
    cluster.close();
  }

  private Placement create(TenantId tenantId) {
    return create(tenantId, TestQuotas.DEFAULT);
  }

  /** As the orchestration does at every start: the tenant's quota, then the agent with its share of it. */
  private Placement create(TenantId tenantId, TenantQuota quota) {
    driver.prepareTenant(tenantId, quota);
    return driver.create(new AgentSpec(tenantId, UUID.randomUUID(), "agent", "openclaw", "2026.9.6",
        quota.agentMemoryMb() == null ? 0 : quota.agentMemoryMb(),
        quota.agentCpuMillis() == null ? 0 : quota.agentCpuMillis(), 0));
  }

  private static Launch launch() {
    return new Launch(List.of("openclaw", "gateway", "run"),
        Map.of("OPENCLAW_STATE_DIR", "/reef/agent/state", "NODE_OPTIONS", "--max-old-space-size=1075",
            "HOME", "/elsewhere"),
        Map.of("openclaw.json", "{\"token\":\"secret-token\"}".getBytes(StandardCharsets.UTF_8),
            "conf/extra.json", "{}".getBytes(StandardCharsets.UTF_8)));
  }

  private AgentNames names(Placement p) {
    return AgentNames.of("reef-t-", p.tenantId(), p.agentId());
  }

  private StatefulSet statefulSet(Placement p) {
    return api.apps().statefulSets().inNamespace(names(p).namespace()).withName(names(p).statefulSet()).get();
  }

  // --- per tenant --------------------------------------------------------------------------------------------------

  @Test
  void create_makesTheTenantsNamespace_labelledAndRestricted() {
    create(tenant);

    Namespace ns = api.namespaces().withName("reef-t-" + tenant).get();
    assertThat(ns.getMetadata().getLabels()).containsEntry("reef.dev/tenant", tenant.toString())
        .containsEntry("app.kubernetes.io/managed-by", "reef")
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    ServiceAccount account = api.serviceAccounts().inNamespace(ns.getMetadata().getName()).withName("reef-agent")
        .get();
    assertThat(account.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void create_quotaAndLimitRange_comeFromTheTenantsLimits() {

    create(tenant, TestQuotas.quota(3L, 1536L, 500L));

    ResourceQuota quota = api.resourceQuotas().inNamespace("reef-t-" + tenant).withName("reef-tenant-quota").get();
    assertThat(quota.getSpec().getHard()).containsOnly(
        Map.entry("pods", new Quantity("3")),
        Map.entry("persistentvolumeclaims", new Quantity("3")),
        Map.entry("requests.storage", new Quantity("6442450944")),
        Map.entry("requests.memory", new Quantity("4608Mi")),
        Map.entry("limits.memory", new Quantity("4608Mi")),
        Map.entry("requests.cpu", new Quantity("1500m")),
        Map.entry("limits.cpu", new Quantity("1500m")));
    LimitRangeItem item = api.limitRanges().inNamespace("reef-t-" + tenant).withName("reef-agent-limits").get()
        .getSpec().getLimits().getFirst();
    Map<String, Quantity> perAgent = Map.of("memory", new Quantity("1536Mi"), "cpu", new Quantity("500m"));
    assertThat(item.getType()).isEqualTo("Container");
    assertThat(item.getMax()).isEqualTo(perAgent);
    assertThat(item.getDefault()).isEqualTo(perAgent);
    assertThat(item.getDefaultRequest()).isEqualTo(perAgent);
  }

  @Test
  void create_unlimitedLimits_areLeftOutOfQuotaAndLimitRange() {

    create(tenant, TestQuotas.quota(null, 1024L, null));

    assertThat(api.resourceQuotas().inNamespace("reef-t-" + tenant).withName("reef-tenant-quota").get().getSpec()
        .getHard()).isNullOrEmpty();
    assertThat(api.limitRanges().inNamespace("reef-t-" + tenant).withName("reef-agent-limits").get().getSpec()
        .getLimits().getFirst().getMax()).containsOnlyKeys("memory");
  }

  @Test
  void networkPolicy_deniesEverythingButReefInAndTheTwoProxiesAndDnsOut() {
    create(tenant);

    NetworkPolicy policy = api.network().v1().networkPolicies().inNamespace("reef-t-" + tenant)
        .withName("reef-agent-network").get();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty(); // every pod of the namespace
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    NetworkPolicyIngressRule in = policy.getSpec().getIngress().getFirst();
    assertThat(policy.getSpec().getIngress()).hasSize(1);
    assertThat(in.getFrom()).hasSize(1);
    assertThat(in.getFrom().getFirst().getNamespaceSelector().getMatchLabels())
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "reef"));
    assertThat(in.getFrom().getFirst().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "reef"));
    assertThat(in.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort().getIntVal()).isEqualTo(18799);
      assertThat(p.getProtocol()).isEqualTo("TCP");
    });
    List<NetworkPolicyEgressRule> out = policy.getSpec().getEgress();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).getTo().getFirst().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "reef"));
    // the LLM proxy and the egress proxy, nothing else of Reef's
    assertThat(out.get(0).getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .containsExactly("TCP/8080", "TCP/3128");
    assertThat(out.get(1).getTo().getFirst().getNamespaceSelector().getMatchLabels())
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "kube-system"));
    assertThat(out.get(1).getTo().getFirst().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("k8s-app", "kube-dns"));
    assertThat(out.get(1).getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .containsExactlyInAnyOrder("UDP/53", "TCP/53");
  }

  @Test
  void limitsChange_updatesQuotaLimitRangeAndAgentsResources_butLeavesTheRunningPodAlone() {
    Placement p = driver.start(create(tenant, TestQuotas.quota(2L, 1024L, 1000L)), launch());
    String podUid = api.pods().inNamespace(names(p).namespace()).withName(names(p).pod()).get().getMetadata()
        .getUid();

    driver.tenantChanged(tenant, TestQuotas.quota(4L, 2048L, 250L));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.resourceQuotas()
        .inNamespace(names(p).namespace()).withName("reef-tenant-quota").get().getSpec().getHard())
        .containsEntry("pods", new Quantity("4")).containsEntry("limits.memory", new Quantity("8192Mi"))
        .containsEntry("limits.cpu", new Quantity("1000m")));
    assertThat(api.limitRanges().inNamespace(names(p).namespace()).withName("reef-agent-limits").get().getSpec()
        .getLimits().getFirst().getMax()).isEqualTo(Map.of("memory", new Quantity("2048Mi"), "cpu",
        new Quantity("250m")));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(statefulSet(p).getSpec().getTemplate()
        .getSpec().getContainers().getFirst().getResources().getLimits())
        .isEqualTo(Map.of("memory", new Quantity("2048Mi"), "cpu", new Quantity("250m"))));
    assertThat(api.pods().inNamespace(names(p).namespace()).withName(names(p).pod()).get().getMetadata().getUid())
        .as("the running agent is not restarted for it").isEqualTo(podUid);
  }

  @Test
  void limitsChange_ofATenantWithoutNamespace_makesNothing() {
    driver.tenantChanged(tenant, TestQuotas.DEFAULT);

    assertThat(api.namespaces().withName("reef-t-" + tenant).get()).isNull();
  }

  @Test
  void tenantDeleted_removesItsNamespace() {
    create(tenant);

    driver.tenantDeleted(tenant);

    await().atMost(Duration.ofSeconds(10)).until(() -> api.namespaces().withName("reef-t-" + tenant).get() == null);
  }

  @Test
  void twoTenants_eachTenantsObjectsAreOnlyInItsOwnNamespace() {
    TenantId other = TenantId.random();
    Placement a = driver.start(create(tenant), launch());
    Placement b = driver.start(create(other), launch());

    assertThat(names(a).namespace()).isNotEqualTo(names(b).namespace());
    for (TenantId t : List.of(tenant, other)) {
      String namespace = "reef-t-" + t;
      List<HasMetadata> inside = Stream.of(api.apps().statefulSets().inNamespace(namespace).list().getItems(),
          api.services().inNamespace(namespace).list().getItems(),
          api.secrets().inNamespace(namespace).list().getItems(),
          api.pods().inNamespace(namespace).list().getItems(),
          api.persistentVolumeClaims().inNamespace(namespace).list().getItems(),
          api.resourceQuotas().inNamespace(namespace).list().getItems(),
          api.limitRanges().inNamespace(namespace).list().getItems(),
          api.network().v1().networkPolicies().inNamespace(namespace).list().getItems(),
          api.serviceAccounts().inNamespace(namespace).list().getItems())
          .flatMap(List::stream).map(HasMetadata.class::cast).toList();
      assertThat(inside).hasSizeGreaterThanOrEqualTo(9);
      assertThat(inside).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
          .as(o.getKind() + " " + o.getMetadata().getName()).containsEntry("reef.dev/tenant", t.toString()));
    }
    // a placement naming tenant B's objects in its attributes still acts on its own tenant's
    Placement tampered = a.withAttributes(b.attributes());
    driver.stop(tampered, Duration.ofSeconds(1));
    assertThat(driver.observe(b)).isInstanceOf(Observed.Running.class);
    assertThat(driver.observe(a)).isInstanceOf(Observed.Missing.class);
  }

  // --- per agent ---------------------------------------------------------------------------------------------------

  @Test
  void create_makesAHeadlessServiceAndAStatefulSetWithNoPods_andNothingElse() {
    Placement p = create(tenant);
    AgentNames n = names(p);

    assertThat(p.driver()).isEqualTo("kubernetes");
    assertThat(p.listenHost()).isEqualTo("0.0.0.0");
    assertThat(p.listenPort()).isEqualTo(18799);
    assertThat(p.address()).isEqualTo("http://" + n.service() + "." + n.namespace() + ".svc.cluster.local:18799");
    assertThat(p.proxyBaseUrl()).isEqualTo(PROXY);
    assertThat(p.paths()).isEqualTo(Map.of("state", "/reef/agent/state", "workspace", "/reef/agent/workspace",
        "home", "/reef/agent/home", "tmp", "/reef/tmp"));
    Service service = api.services().inNamespace(n.namespace()).withName(n.service()).get();
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getSelector()).isEqualTo(Map.of("reef.dev/agent", p.agentId().toString()));
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(port ->
        assertThat(port.getPort()).isEqualTo(18799));
    StatefulSet set = statefulSet(p);
    assertThat(set.getSpec().getReplicas()).isZero();
    assertThat(set.getSpec().getServiceName()).isEqualTo(n.service());
    assertThat(set.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(set.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
    assertThat(set.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
    PersistentVolumeClaim claim = set.getSpec().getVolumeClaimTemplates().getFirst();
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("2Gi"));
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(set.getMetadata().getLabels()).containsEntry("reef.dev/tenant", tenant.toString())
        .containsEntry("reef.dev/agent", p.agentId().toString()).containsEntry("app.kubernetes.io/managed-by", "reef");
    assertThat(api.pods().inNamespace(n.namespace()).list().getItems()).isEmpty();
    assertThat(api.secrets().inNamespace(n.namespace()).list().getItems()).isEmpty();
  }

  @Test
  void start_withPersonaFiles_copiesThemIntoTheWorkspace() {
    Launch withPersona = new Launch(List.of("openclaw", "gateway", "run"), Map.of(),
        Map.of("openclaw.json", "{}".getBytes(StandardCharsets.UTF_8)), List.of(),
        Map.of("SOUL.md", "You are Captain Reef.".getBytes(StandardCharsets.UTF_8)));
    Placement p = driver.start(create(tenant), withPersona);
    AgentNames n = names(p);
    Secret secret = api.secrets().inNamespace(n.namespace()).withName(n.secret()).get();
    assertThat(decode(secret.getData().get("file.1"))).isEqualTo("You are Captain Reef.");
    PodSpec pod = statefulSet(p).getSpec().getTemplate().getSpec();
    var launchVolume = pod.getVolumes().stream().filter(v -> v.getName().equals("launch")).findFirst().orElseThrow();
    assertThat(launchVolume.getSecret().getItems()).extracting(i -> i.getKey() + "=" + i.getPath())
        .containsExactly("file.0=openclaw.json", "file.1=_workspace/SOUL.md");
    List<String> prepare = pod.getInitContainers().getFirst().getCommand();
    assertThat(prepare).endsWith("prepare", "openclaw.json", "_workspace/SOUL.md");
    // the init script sends _workspace/ files to the workspace, the others to the state directory
    assertThat(prepare.get(2)).contains("_workspace/*) d=/reef/agent/workspace/${f#_workspace/};;")
        .contains("*) d=/reef/agent/state/$f;;");
    assertThatThrownBy(() -> driver.start(create(TenantId.random()), new Launch(List.of("x"), Map.of(), Map.of(),
        List.of(), Map.of("../escape.md", new byte[0])))).hasMessageContaining("not a plain path inside the workspace");
  }

  @Test
  void start_writesTheLaunchIntoASecret_andThePodTemplateNamesOnlyItsKeys() {
    Placement p = driver.start(create(tenant), launch());
    AgentNames n = names(p);

    Secret secret = api.secrets().inNamespace(n.namespace()).withName(n.secret()).get();
    assertThat(secret.getData()).containsOnlyKeys("env.OPENCLAW_STATE_DIR", "env.NODE_OPTIONS", "env.HOME",
        "file.0", "file.1");
    assertThat(decode(secret.getData().get("file.1"))).isEqualTo("{\"token\":\"secret-token\"}");
    StatefulSet set = statefulSet(p);
    assertThat(set.getSpec().getReplicas()).isEqualTo(1);
    String template = io.fabric8.kubernetes.client.utils.Serialization.asJson(set.getSpec().getTemplate());
    assertThat(template).doesNotContain("secret-token").doesNotContain("max-old-space-size");
    Container agent = set.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(agent.getCommand()).containsExactly("openclaw", "gateway", "run");
    assertThat(agent.getEnv()).extracting(EnvVar::getName)
        .containsExactly("NODE_OPTIONS", "OPENCLAW_STATE_DIR", "HOME", "TMPDIR");
    assertThat(agent.getEnv()).filteredOn(e -> e.getName().equals("NODE_OPTIONS")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("env.NODE_OPTIONS"));
    assertThat(agent.getEnv()).filteredOn(e -> e.getName().equals("HOME")).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("/reef/agent/home"));
    PodSpec pod = set.getSpec().getTemplate().getSpec();
    var launchVolume = pod.getVolumes().stream().filter(v -> v.getName().equals("launch")).findFirst().orElseThrow();
    assertThat(launchVolume.getSecret().getItems()).extracting(i -> i.getKey() + "=" + i.getPath())
        .containsExactly("file.0=conf/extra.json", "file.1=openclaw.json");
    assertThat(pod.getInitContainers().getFirst().getCommand()).endsWith("prepare", "conf/extra.json",
        "openclaw.json");
  }

  @Test
  void start_podRunsTheAgentsImage_nonRoot_readOnly_withItsResourcesAndRuntimeClass() {
    Placement p = driver.start(create(tenant, TestQuotas.quota(2L, 1536L, 750L)), launch());

    PodSpec pod = statefulSet(p).getSpec().getTemplate().getSpec();
    assertThat(pod.getRuntimeClassName()).isEqualTo("gvisor");
    assertThat(pod.getServiceAccountName()).isEqualTo("reef-agent");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getShareProcessNamespace()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Map<String, Quantity> resources = Map.of("memory", new Quantity("1536Mi"), "cpu", new Quantity("750m"));
    for (Container c : List.of(pod.getInitContainers().getFirst(), pod.getContainers().getFirst())) {
      assertThat(c.getImage()).isEqualTo("ghcr.io/reef-dev/openclaw-agent:2026.9.6");
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getResources().getRequests()).isEqualTo(resources);
      assertThat(c.getResources().getLimits()).isEqualTo(resources);
    }
    Container agent = pod.getContainers().getFirst();
    assertThat(agent.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath() + ":" + m.getReadOnly())
        .containsExactly("agent:/reef/agent:false", "tmp:/reef/tmp:false");
    assertThat(agent.getWorkingDir()).isEqualTo("/reef/agent/workspace");
    assertThat(agent.getPorts()).singleElement().satisfies(port -> assertThat(port.getContainerPort())
        .isEqualTo(18799));
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactlyInAnyOrder("tmp", "launch");
    assertThat(pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow()
        .getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("1Gi"));
  }

  @Test
  void start_eachTimeReplacesTheSecret_andStartsAFreshRun() {
    Placement p = driver.start(create(tenant), launch());
    String firstRun = statefulSet(p).getSpec().getTemplate().getMetadata().getAnnotations().get("reef.dev/run");
    driver.stop(p, Duration.ofSeconds(1));

    driver.start(p, new Launch(List.of("openclaw", "gateway", "run"), Map.of(),
        Map.of("openclaw.json", "{\"token\":\"fresh\"}".getBytes(StandardCharsets.UTF_8))));

    AgentNames n = names(p);
    Secret secret = api.secrets().inNamespace(n.namespace()).withName(n.secret()).get();
    assertThat(secret.getData()).containsOnlyKeys("file.0");
    assertThat(decode(secret.getData().get("file.0"))).isEqualTo("{\"token\":\"fresh\"}");
    String secondRun = statefulSet(p).getSpec().getTemplate().getMetadata().getAnnotations().get("reef.dev/run");
    assertThat(secondRun).isNotEqualTo(firstRun);
    assertThat(api.pods().inNamespace(n.namespace()).withName(n.pod()).get().getMetadata().getAnnotations())
        .containsEntry("reef.dev/run", secondRun);
  }

  @Test
  void stop_scalesToZeroAndDeletesThePodWithTheGrace_keepingVolumeServiceAndStatefulSet() {
    Placement p = driver.start(create(tenant), launch());
    AgentNames n = names(p);

    driver.stop(p, Duration.ofSeconds(7));

    assertThat(statefulSet(p).getSpec().getReplicas()).isZero();
    assertThat(api.pods().inNamespace(n.namespace()).withName(n.pod()).get()).isNull();
    assertThat(api.persistentVolumeClaims().inNamespace(n.namespace()).withName(n.claim()).get()).isNotNull();
    assertThat(api.services().inNamespace(n.namespace()).withName(n.service()).get()).isNotNull();
    assertThat(cluster.requests()).anySatisfy(r -> {
      assertThat(r.method()).isEqualTo("DELETE");
      assertThat(r.path()).isEqualTo("/api/v1/namespaces/" + n.namespace() + "/pods/" + n.pod());
      assertThat(r.body()).contains("\"gracePeriodSeconds\":7");
    });
    assertThat(driver.observe(p)).isInstanceOf(Observed.Missing.class);
  }

  @Test
  void destroy_deletesStatefulSetServiceSecretAndVolume_keepingTheTenantsNamespace() {
    Placement p = driver.start(create(tenant), launch());
    AgentNames n = names(p);
    assertThat(api.persistentVolumeClaims().inNamespace(n.namespace()).withName(n.claim()).get()).isNotNull();

    driver.destroy(p);

    assertThat(api.apps().statefulSets().inNamespace(n.namespace()).list().getItems()).isEmpty();
    assertThat(api.services().inNamespace(n.namespace()).list().getItems()).isEmpty();
    assertThat(api.secrets().inNamespace(n.namespace()).list().getItems()).isEmpty();
    assertThat(api.persistentVolumeClaims().inNamespace(n.namespace()).list().getItems()).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> api.pods().inNamespace(n.namespace()).list().getItems()
        .isEmpty());
    assertThat(api.namespaces().withName(n.namespace()).get()).isNotNull();
    assertThat(api.resourceQuotas().inNamespace(n.namespace()).withName("reef-tenant-quota").get()).isNotNull();
  }

  // --- runs that end, starts that fail, logs ------------------------------------------------------------------------

  @Test
  void agentEndingByItself_isScaledToZero_withItsExitAndLastLinesKept() throws Exception {
    Placement p = create(tenant);
    AgentNames n = names(p);
    cluster.endNextPod(n.namespace(), n.statefulSet(), 78, "Error", "Invalid config: models.providers.reef.name");

    driver.start(p, launch());

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(statefulSet(p).getSpec().getReplicas())
        .isZero());
    await().atMost(Duration.ofSeconds(10)).until(() -> api.pods().inNamespace(n.namespace()).withName(n.pod())
        .get() == null);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(driver.observe(p))
        .isEqualTo(new Observed.Exited(78, "exited with code 78")));
    assertThat(driver.logs(p).tail(10)).contains("Invalid config: models.providers.reef.name");
  }

  @Test
  void agentKilledForMemory_saysItReachedItsLimit() {
    Placement p = driver.start(create(tenant, TestQuotas.quota(1L, 768L, 1000L)), launch());
    AgentNames n = names(p);

    cluster.endPod(n.namespace(), n.pod(), 137, "OOMKilled");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(driver.observe(p)).isEqualTo(
        new Observed.Exited(137, "killed by signal 9 (SIGKILL): out of memory, it reached its limit of 768 MB")));
  }

  @Test
  void start_imageThatCannotBePulled_failsSayingSo_andScalesBackToZero() {
    Placement p = create(tenant);
    AgentNames n = names(p);
    cluster.failNextPull(n.namespace(), n.statefulSet(), "Back-off pulling image");

    assertThatThrownBy(() -> driver.start(p, launch())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be pulled").hasMessageContaining("ImagePullBackOff");

    assertThat(statefulSet(p).getSpec().getReplicas()).isZero();
    assertThat(api.pods().inNamespace(n.namespace()).withName(n.pod()).get()).isNull();
  }

  @Test
  void start_podsRefused_failsWithTheClustersReason_andScalesBackToZero() {
    Placement p = create(tenant);
    AgentNames n = names(p);
    cluster.refusePods(n.namespace(), n.statefulSet(), "pods \"" + n.pod() + "\" is forbidden: exceeded quota: "
        + "reef-tenant-quota, requested: pods=1, used: pods=2, limited: pods=2");

    assertThatThrownBy(() -> driver.start(p, launch())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not be started").hasMessageContaining("exceeded quota");

    assertThat(statefulSet(p).getSpec().getReplicas()).isZero();
  }

  @Test
  void logs_tailAndFollow_spanTheRunsOfTheAgent() throws Exception {
    Placement p = driver.start(create(tenant), launch());
    AgentNames n = names(p);
    cluster.appendLog(n.namespace(), n.pod(), "first run says hello");
    assertThat(driver.logs(p).tail(10)).containsExactly("pod " + n.pod() + " started", "first run says hello");

    List<String> followed = new CopyOnWriteArrayList<>();
    try (AutoCloseable ignored = driver.logs(p).follow(followed::add)) {
      driver.stop(p, Duration.ofSeconds(1));
      assertThat(driver.logs(p).tail(10)).as("the last lines of a stopped run are kept")
          .containsExactly("pod " + n.pod() + " started", "first run says hello");
      driver.start(p, launch());
      await().atMost(Duration.ofSeconds(10)).until(() -> followed.contains("pod " + n.pod() + " started"));
    }
    assertThat(driver.logs(p).tail(3)).containsExactly("pod " + n.pod() + " started", "first run says hello",
        "pod " + n.pod() + " started");
  }

  @Test
  void launch_fileOutsideTheStateDirectory_isRefused() {
    Placement p = create(tenant);

    for (String name : List.of("../home/.profile", "/etc/passwd", "a/../../b", "with space")) {
      assertThatThrownBy(() -> driver.start(p, new Launch(List.of("true"), Map.of(), Map.of(name, new byte[0]))))
          .as(name).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
