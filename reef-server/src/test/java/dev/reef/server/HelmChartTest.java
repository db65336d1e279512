package dev.reef.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/**
 * The Helm chart in {@code deploy/helm/reef}: linted, then rendered by Helm itself (helm-java embeds it) with the
 * default values and with overrides, and the rendered objects read back with fabric8 and checked against what Reef
 * needs: the driver's settings, the actuator's probe paths, RBAC as the driver calls the API, secrets by reference.
 */
class HelmChartTest {

  private static final Path CHART = Path.of(System.getProperty("basedir", "."))
      .resolve("../deploy/helm/reef").toAbsolutePath().normalize();
  private static final Path DRIVER_DOC = CHART.resolve("../../../docs/kubernetes-driver.md").normalize();
  private static final String RELEASE = "reef";
  private static final String NAMESPACE = "reef-system";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern LABEL = Pattern.compile("([^=]+)=(.*)");

  /**
   * Every (API group, resource, verb) the driver's fabric8 calls use (reef-kubernetes/src/main/java), and nothing
   * more. {@code get} of {@code client.resource(o)} and {@code withName(n)} is GET; {@code create} POST;
   * {@code update} PUT; {@code edit} GET then PATCH; {@code delete} DELETE; {@code list} and an informer's
   * {@code inform} LIST (and WATCH); {@code getLog}/{@code watchLog} GET on {@code pods/log}.
   */
  private static final Set<Rule> DRIVER_NEEDS = rules(
      // TenantNamespaces.ensureNamespace (get, create, edit), .delete, .limitsChanged (get)
      "'' namespaces get create patch delete",
      // TenantNamespaces.apply (get, create, update) of the tenant's service account, quota, limit range and network
      // policy, and of an agent's launch Secret (KubernetesComputeDriver.start)
      "'' serviceaccounts get create update",
      "'' resourcequotas get create update",
      "'' limitranges get create update",
      "networking.k8s.io networkpolicies get create update",
      "'' secrets get create update delete",
      // KubernetesComputeDriver.createIfAbsent (get, create) and destroy (delete)
      "'' services get create delete",
      "'' persistentvolumeclaims delete",
      // AgentWatch's informer in every namespace (list, watch; also what getLog's wait for the pod uses);
      // KubernetesComputeDriver.deletePod
      "'' pods list watch delete",
      // PodLogs: tail and follow
      "'' pods/log get",
      // KubernetesComputeDriver.refusedPod: the StatefulSet controller's FailedCreate
      "'' events list",
      // createIfAbsent, get, edit, update (recordExit), delete; AgentWatch's informer; limitsChanged (list, edit)
      "apps statefulsets get list watch create update patch delete");

  // --- lint ----------------------------------------------------------------------------------------------------------

  @Test
  void lint_strict_reportsNoWarningOrError() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
  }

  // --- replicas, disruption budget -----------------------------------------------------------------------------------

  @Test
  void template_defaults_twoReplicasWithADisruptionBudget() {
    Rendered chart = render(Map.of());

    assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(2);
    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(chart.all(Ingress.class)).as("ingress is off by default").isEmpty();
  }

  @Test
  void template_replicaCount_followsTheValue() {
    assertThat(render(Map.of("replicaCount", 3)).deployment().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void template_oneReplica_hasNoDisruptionBudget_andMayRunWithoutRedis() {
    Rendered chart = render(Map.of("replicaCount", 1, "redis.existingSecret", ""));

    assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(1);
    assertThat(chart.all(PodDisruptionBudget.class)).isEmpty();
    assertThat(chart.env()).doesNotContainKey("REEF_REDIS_URL");
  }

  @Test
  void template_severalReplicasWithoutRedis_isRefused() {
    assertThatThrownBy(() -> render(Map.of("replicaCount", 2, "redis.existingSecret", "")))
        .hasMessageContaining("redis.existingSecret");
  }

  @Test
  void template_withoutDatabaseOrMasterKey_isRefused() {
    assertThatThrownBy(() -> render(Map.of("database.existingSecret", "")))
        .hasMessageContaining("database.existingSecret");
    assertThatThrownBy(() -> render(Map.of("masterKey.existingSecret", "")))
        .hasMessageContaining("masterKey.existingSecret");
  }

  // --- probes, port, image -------------------------------------------------------------------------------------------

  @Test
  void probes_pointAtTheActuatorHealthGroups_onTheContainersPort() {
    Properties config = applicationYml();
    assertThat(config.getProperty("management.endpoint.health.probes.enabled")).isEqualTo("true");
    assertThat(config.getProperty("management.server.port")).as("actuator on Reef's own port").isNull();
    assertThat(config.getProperty("management.endpoints.web.base-path")).as("actuator at /actuator").isNull();
    assertThat(config.getProperty("management.endpoints.web.exposure.include")).contains("health");
    Container reef = render(Map.of()).container();
    int port = containerPort(reef, "http");

    assertThat(reef.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
    assertThat(reef.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
    assertThat(reef.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
    for (HTTPGetAction probe : List.of(reef.getLivenessProbe().getHttpGet(), reef.getReadinessProbe().getHttpGet(),
        reef.getStartupProbe().getHttpGet())) {
      assertThat(probe.getPort().getStrVal()).isEqualTo("http");
    }
    assertThat(render(Map.of()).env()).containsEntry("REEF_PORT", String.valueOf(port));
  }

  @Test
  void image_tagDefaultsToTheChartsAppVersion_andFollowsTheValues() throws IOException {
    String appVersion = Files.readAllLines(CHART.resolve("Chart.yaml")).stream()
        .filter(l -> l.startsWith("appVersion:")).findFirst().orElseThrow()
        .substring("appVersion:".length()).trim().replace("\"", "");

    assertThat(render(Map.of()).container().getImage()).isEqualTo("ghcr.io/reef-dev/reef:" + appVersion);
    assertThat(render(Map.of("image.repository", "registry.local/reef", "image.tag", "1.2.3")).container().getImage())
        .isEqualTo("registry.local/reef:1.2.3");
  }

  // --- RBAC ----------------------------------------------------------------------------------------------------------

  @Test
  void clusterRole_grantsExactlyWhatTheDriverCalls() {
    ClusterRole role = render(Map.of()).one(ClusterRole.class);

    assertThat(rulesOf(role)).containsExactlyInAnyOrderElementsOf(DRIVER_NEEDS);
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getVerbs()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getResourceNames()).isNullOrEmpty();
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    }
  }

  @Test
  void driverDoc_listsTheSamePermissionsAsTheChart() throws IOException {
    assertThat(documentedRules()).containsExactlyInAnyOrderElementsOf(DRIVER_NEEDS);
  }

  @Test
  void serviceAccount_isTheDeploymentsAndIsBoundToTheClusterRole() {
    Rendered chart = render(Map.of());
    ServiceAccount account = chart.one(ServiceAccount.class);
    ClusterRoleBinding binding = chart.one(ClusterRoleBinding.class);

    assertThat(chart.pod().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    assertThat(chart.pod().getAutomountServiceAccountToken()).isNotEqualTo(Boolean.FALSE);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(chart.one(ClusterRole.class).getMetadata().getName());
    assertThat(binding.getSubjects()).extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
        .containsExactly(tuple("ServiceAccount", account.getMetadata().getName(), NAMESPACE));
  }

  // --- secrets -------------------------------------------------------------------------------------------------------

  @Test
  void secrets_areReferencedByName_neverRendered() {
    Rendered chart = render(Map.of("database.existingSecret", "pg", "database.key", "jdbc-url",
        "redis.existingSecret", "cache", "redis.key", "uri", "masterKey.existingSecret", "keys",
        "masterKey.key", "current"));

    assertThat(chart.objects()).noneMatch(o -> o.getKind().equals("Secret"));
    assertThat(secretRef(chart, "REEF_DATABASE_URL")).isEqualTo("pg/jdbc-url");
    assertThat(secretRef(chart, "REEF_REDIS_URL")).isEqualTo("cache/uri");
    assertThat(secretRef(chart, "REEF_MASTER_KEY")).isEqualTo("keys/current");
    assertThat(secretRef(render(Map.of()), "REEF_DATABASE_URL")).isEqualTo("reef-database/url");
  }

  // --- the driver's settings -----------------------------------------------------------------------------------------

  @Test
  void egressProxy_isOnAServiceOfItsOwn_insideTheClusterOnly_andAgentsAreSentThere() {
    Rendered chart = render(Map.of("service.type", "LoadBalancer", "egress.port", 3129));
    Service egress = chart.service("-egress");

    assertThat(egress.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(egress.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(3129))
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("egress"));
    assertThat(containerPort(chart.container(), "egress")).isEqualTo(3129);
    assertThat(chart.env()).containsEntry("REEF_EGRESS_PORT", "3129").containsEntry("REEF_KUBERNETES_EGRESS_URL",
        "http://" + egress.getMetadata().getName() + "." + NAMESPACE + ".svc.cluster.local:3129");
    assertThat(chart.service("").getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("http");
  }

  @Test
  void driverSettings_pointAgentsAtThisReleasesServiceAndPods() {
    Rendered chart = render(Map.of("service.port", 80));
    Map<String, String> env = chart.env();
    Service service = chart.service("");
    Map<String, String> podLabels = chart.deployment().getSpec().getTemplate().getMetadata().getLabels();

    assertThat(env).containsEntry("REEF_COMPUTE_DRIVER", "kubernetes")
        .containsEntry("REEF_KUBERNETES_REEF_NAMESPACE", NAMESPACE)
        .containsEntry("REEF_KUBERNETES_PROXY_URL",
            "http://" + service.getMetadata().getName() + "." + NAMESPACE + ".svc.cluster.local:80/v1")
        .containsEntry("REEF_KUBERNETES_REEF_PORT", String.valueOf(containerPort(chart.container(), "http")))
        .containsKey("REEF_KUBERNETES_REEF_POD_SELECTOR");
    assertThat(service.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(80))
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    Map<String, String> selector = labels(env.get("REEF_KUBERNETES_REEF_POD_SELECTOR"));
    assertThat(selector).isEqualTo(service.getSpec().getSelector());
    assertThat(selector).containsEntry("app.kubernetes.io/instance", RELEASE);
  }

  @Test
  void driverSettings_followTheValues() {
    Map<String, String> env = render(Map.of("kubernetes.namespacePrefix", "acme-", "kubernetes.agentImage",
        "registry.local/{runtime}:{version}", "kubernetes.runtimeClassName", "gvisor", "kubernetes.storageClass",
        "fast", "kubernetes.storageSize", "20Gi")).env();

    assertThat(env).containsEntry("REEF_KUBERNETES_NAMESPACE_PREFIX", "acme-")
        .containsEntry("REEF_KUBERNETES_IMAGE", "registry.local/{runtime}:{version}")
        .containsEntry("REEF_KUBERNETES_RUNTIME_CLASS_NAME", "gvisor")
        .containsEntry("REEF_KUBERNETES_STORAGE_CLASS", "fast")
        .containsEntry("REEF_KUBERNETES_STORAGE_SIZE", "20Gi");
    assertThat(render(Map.of()).env()).doesNotContainKeys("REEF_KUBERNETES_RUNTIME_CLASS_NAME",
        "REEF_KUBERNETES_STORAGE_CLASS");
  }

  // --- security context, data dir ------------------------------------------------------------------------------------

  @Test
  void reef_runsAsNonRoot_onAReadOnlyRoot_withItsDataDirAndTmpWritable() {
    Rendered chart = render(Map.of());
    PodSpec pod = chart.pod();
    Container reef = chart.container();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(reef.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(reef.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(reef.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    String dataDir = chart.env().get("REEF_DATA_DIR");
    assertThat(writableVolumeAt(pod, reef, dataDir).getEmptyDir()).as("data dir: an emptyDir by default").isNotNull();
    assertThat(writableVolumeAt(pod, reef, "/tmp")).isNotNull();
  }

  @Test
  void dataVolume_mayBeAnyVolumeSource() {
    Rendered chart = render(Map.of("dataVolume.emptyDir", "null",
        "dataVolume.persistentVolumeClaim.claimName", "reef-data"));

    Volume data = writableVolumeAt(chart.pod(), chart.container(), chart.env().get("REEF_DATA_DIR"));
    assertThat(data.getEmptyDir()).isNull();
    assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo("reef-data");
  }

  // --- ingress -------------------------------------------------------------------------------------------------------

  @Test
  void ingress_whenEnabled_routesToTheService() {
    Rendered chart = render(Map.of("ingress.enabled", true, "ingress.className", "nginx",
        "ingress.hosts[0].host", "reef.acme.test", "ingress.hosts[0].paths[0].path", "/",
        "ingress.hosts[0].paths[0].pathType", "Prefix"));
    Ingress ingress = chart.one(Ingress.class);

    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getSpec().getRules()).singleElement()
        .satisfies(r -> assertThat(r.getHost()).isEqualTo("reef.acme.test"));
    IngressBackend backend = ingress.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend();
    assertThat(backend.getService().getName()).isEqualTo(chart.service("").getMetadata().getName());
    assertThat(backend.getService().getPort().getName()).isEqualTo("http");
  }

  // --- helpers -------------------------------------------------------------------------------------------------------

  /** The chart rendered by Helm with these {@code --set} values, as fabric8 objects. */
  private static Rendered render(Map<String, Object> values) {
    TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    values.forEach(template::set);
    Object parsed = SERIALIZATION.unmarshal(template.call());
    List<HasMetadata> objects = switch (parsed) {
      case KubernetesList list -> list.getItems();
      case List<?> list -> list.stream().map(HasMetadata.class::cast).toList();
      case HasMetadata one -> List.of(one);
      default -> throw new AssertionError("not Kubernetes objects: " + parsed);
    };
    return new Rendered(objects);
  }

  private record Rendered(List<HasMetadata> objects) {

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> found = all(type);
      assertThat(found).as("%s objects", type.getSimpleName()).hasSize(1);
      return found.getFirst();
    }

    Deployment deployment() {
      return one(Deployment.class);
    }

    /** The release's Service whose name ends with {@code suffix} ("" for the main one). */
    Service service(String suffix) {
      List<Service> services = all(Service.class).stream()
          .filter(s -> suffix.isEmpty() ? !s.getMetadata().getName().endsWith("-egress")
              : s.getMetadata().getName().endsWith(suffix)).toList();
      assertThat(services).as("Services named *%s", suffix).hasSize(1);
      return services.getFirst();
    }

    PodSpec pod() {
      return deployment().getSpec().getTemplate().getSpec();
    }

    Container container() {
      assertThat(pod().getContainers()).hasSize(1);
      return pod().getContainers().getFirst();
    }

    /** The container's literal environment; a variable from a Secret maps to null. */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      container().getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
      return env;
    }
  }

  /** {@code secret/key} of a variable that must come from a Secret and hold no value of its own. */
  private static String secretRef(Rendered chart, String name) {
    EnvVar var = chart.container().getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    assertThat(var.getValue()).as("%s holds a literal value", name).isNull();
    var ref = var.getValueFrom().getSecretKeyRef();
    return ref.getName() + "/" + ref.getKey();
  }

  private static int containerPort(Container container, String name) {
    return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow();
  }

  /** The volume mounted writable at {@code path} in the container. */
  private static Volume writableVolumeAt(PodSpec pod, Container container, String path) {
    VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
    return pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
  }

  /** Reef's own configuration, as the application reads it. */
  private static Properties applicationYml() {
    YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
    yaml.setResources(new ClassPathResource("application.yml"));
    return yaml.getObject();
  }

  private record Rule(String apiGroup, String resource, String verb) {}

  /** Rules written as {@code "group resource verb verb…"}, {@code ''} for the core group. */
  private static Set<Rule> rules(String... lines) {
    Set<Rule> rules = new HashSet<>();
    for (String line : lines) {
      String[] parts = line.split(" ");
      String group = parts[0].equals("''") ? "" : parts[0];
      Arrays.stream(parts, 2, parts.length).forEach(verb -> rules.add(new Rule(group, parts[1], verb)));
    }
    return rules;
  }

  private static Set<Rule> rulesOf(ClusterRole role) {
    Set<Rule> rules = new HashSet<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          rule.getVerbs().forEach(verb -> rules.add(new Rule(group, resource, verb)));
        }
      }
    }
    return rules;
  }

  /** The table under "Reef's service account needs" in docs/kubernetes-driver.md. */
  private static Set<Rule> documentedRules() throws IOException {
    List<String> lines = Files.readAllLines(DRIVER_DOC);
    int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("Reef's service account needs")).findFirst()
        .orElseThrow(() -> new AssertionError("no permissions table in " + DRIVER_DOC)));
    Pattern quoted = Pattern.compile("`([^`]*)`");
    Set<Rule> rules = new HashSet<>();
    for (String line : lines.subList(start + 1, lines.size()).stream().dropWhile(l -> !l.startsWith("|"))
        .takeWhile(l -> l.startsWith("|")).skip(2).toList()) {
      String[] cells = line.split("\\|");
      List<String> groups = quoted.matcher(cells[1]).results().map(m -> m.group(1).replace("\"", "")).toList();
      List<String> resources = quoted.matcher(cells[2]).results().map(m -> m.group(1)).toList();
      Set<String> verbs = Arrays.stream(cells[3].split(",")).map(String::trim).collect(Collectors.toSet());
      for (String group : groups) {
        for (String resource : resources) {
          verbs.forEach(verb -> rules.add(new Rule(group, resource, verb)));
        }
      }
    }
    return rules;
  }

  private static Map<String, String> labels(String selector) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String part : selector.split(",")) {
      Matcher kv = LABEL.matcher(part.trim());
      assertThat(kv.matches()).as("label %s", part).isTrue();
      labels.put(kv.group(1), kv.group(2));
    }
    return labels;
  }
}
