package dev.reef.kubernetes;

import dev.reef.common.TenantId;
import dev.reef.orchestration.Launch;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One agent's objects: a StatefulSet of 0 or 1 pods with a volume for its state, workspace and home; a headless
 * Service that gives it a stable name; a Secret with what its launch needs (config files and environment).
 *
 * <p>The pod: an init container ({@code prepare}, from the agent's image, with {@code /bin/sh}) makes the agent's
 * directories on its volume and copies the launch's files from the Secret into the state directory, private to the
 * agent (0600): the runtime finds them where it expects them and may rewrite them, which a Secret mount would not
 * allow. Then the agent's container runs the launch's command with only the launch's environment (values from the
 * Secret), its own {@code HOME} and {@code TMPDIR}, as a non-root user, without privileges or capabilities, on a
 * read-only root filesystem with writable volumes for its directories. The pod shares one process namespace, so the
 * pod's pause process (PID 1) reaps what the agent's children leave behind.
 */
final class AgentObjects {

  /** Where the agent's volume (state, workspace, home), its temporary directory and the launch Secret are mounted. */
  static final String AGENT_DIR = "/reef/agent";
  static final String TMP_DIR = "/reef/tmp";
  static final String LAUNCH_DIR = "/reef/launch";
  static final Map<String, String> PATHS = Map.of("state", AGENT_DIR + "/state", "workspace", AGENT_DIR + "/workspace",
      "home", AGENT_DIR + "/home", "tmp", TMP_DIR);

  private static final String ENV_KEY = "env.";
  private static final String FILE_KEY = "file.";
  /** A launch file's name: relative, plain characters, no {@code ..}; it is a shell argument and a Secret path. */
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Where a launch's workspace files are in the Secret's volume (a prefix no state file may start with). */
  static final String WORKSPACE_PREFIX = "_workspace/";
  /**
   * The init container: private directories, then each file given as an argument copied from the Secret, into the
   * state directory, or the workspace for those under {@link #WORKSPACE_PREFIX}.
   */
  private static final String PREPARE = "set -eu; umask 077; mkdir -p " + PATHS.get("state") + " "
      + PATHS.get("workspace") + " " + PATHS.get("home") + "; for f in \"$@\"; do case \"$f\" in "
      + WORKSPACE_PREFIX + "*) d=" + PATHS.get("workspace") + "/${f#" + WORKSPACE_PREFIX + "};; *) d="
      + PATHS.get("state") + "/$f;; esac; mkdir -p \"$(dirname \"$d\")\"; cat \"" + LAUNCH_DIR
      + "/$f\" > \"$d.reef-new\"; mv \"$d.reef-new\" \"$d\"; done";
  private static final int DEFAULT_GRACE_SECONDS = 10;

  private final KubernetesDriverProperties properties;

  AgentObjects(KubernetesDriverProperties properties) {
    this.properties = properties;
  }

  AgentNames names(TenantId tenantId, UUID agentId) {
    return AgentNames.of(properties.namespacePrefix(), tenantId, agentId);
  }

  /** Reef reaches the agent by this name: the headless Service resolves to the pod, ready or not. */
  String address(AgentNames names, int port) {
    return "http://" + names.service() + "." + names.namespace() + ".svc." + properties.clusterDomain() + ":" + port;
  }

  Service service(TenantId tenantId, UUID agentId, int port) {
    AgentNames names = names(tenantId, agentId);
    return new ServiceBuilder().withNewMetadata().withName(names.service()).withNamespace(names.namespace())
        .withLabels(AgentNames.agentLabels(tenantId, agentId)).endMetadata()
        .withNewSpec().withClusterIP("None").withPublishNotReadyAddresses(true)
        .withSelector(AgentNames.selector(agentId))
        .addNewPort().withName("gateway").withProtocol("TCP").withPort(port).endPort()
        .endSpec().build();
  }

  /** The launch's files and environment; the pod template names the keys, never the values. */
  Secret launchSecret(TenantId tenantId, UUID agentId, Launch launch) {
    AgentNames names = names(tenantId, agentId);
    Map<String, String> data = new LinkedHashMap<>();
    launch.environment().forEach((name, value) -> data.put(ENV_KEY + checkEnvName(name), base64(value.getBytes(
        java.nio.charset.StandardCharsets.UTF_8))));
    List<String> files = fileNames(launch);
    for (int i = 0; i < files.size(); i++) {
      String name = files.get(i);
      data.put(FILE_KEY + i, base64(name.startsWith(WORKSPACE_PREFIX)
          ? launch.workspaceFiles().get(name.substring(WORKSPACE_PREFIX.length())) : launch.files().get(name)));
    }
    return new SecretBuilder().withNewMetadata().withName(names.secret()).withNamespace(names.namespace())
        .withLabels(AgentNames.agentLabels(tenantId, agentId)).endMetadata()
        .withType("Opaque").withData(data).build();
  }

  /** The StatefulSet as create makes it: no pods, and a pod template without a launch yet. */
  StatefulSet statefulSet(TenantId tenantId, UUID agentId, String image, int port, Resources resources) {
    AgentNames names = names(tenantId, agentId);
    Map<String, String> labels = AgentNames.agentLabels(tenantId, agentId);
    StatefulSetBuilder builder = new StatefulSetBuilder().withNewMetadata().withName(names.statefulSet())
        .withNamespace(names.namespace()).withLabels(labels).endMetadata()
        .withNewSpec()
        .withReplicas(0)
        .withServiceName(names.service())
        .withNewSelector().withMatchLabels(AgentNames.selector(agentId)).endSelector()
        // a template change reaches the pod at its next start, never by restarting a running agent
        .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
        .withRevisionHistoryLimit(2)
        .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Delete").withWhenScaled("Retain")
        .endPersistentVolumeClaimRetentionPolicy()
        .withTemplate(podTemplate(tenantId, agentId, image, port, resources, null, ""))
        .addNewVolumeClaimTemplate().withNewMetadata().withName(AgentNames.VOLUME).withLabels(labels).endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(properties.storageClass())
        .withNewResources().addToRequests("storage", new Quantity(properties.storageSize())).endResources()
        .endSpec().endVolumeClaimTemplate()
        .endSpec();
    return builder.build();
  }

  /**
   * The pod of one run. {@code launch} null: the template create leaves, which never runs (it runs the image's own
   * command with nothing prepared).
   */
  PodTemplateSpec podTemplate(TenantId tenantId, UUID agentId, String image, int port, Resources resources,
      Launch launch, String run) {
    AgentNames names = names(tenantId, agentId);
    List<String> files = launch == null ? List.of() : fileNames(launch);
    ResourceRequirements requirements = resources.requirements();
    List<String> prepareArgs = new ArrayList<>(List.of("/bin/sh", "-c", PREPARE, "prepare"));
    prepareArgs.addAll(files);
    Container prepare = new ContainerBuilder().withName("prepare").withImage(image)
        .withImagePullPolicy(properties.imagePullPolicy()).withCommand(prepareArgs).withResources(requirements)
        .withSecurityContext(containerSecurity())
        .withVolumeMounts(mount(AgentNames.VOLUME, AGENT_DIR, false), mount("launch", LAUNCH_DIR, true))
        .build();
    ContainerBuilder agent = new ContainerBuilder().withName(AgentNames.CONTAINER).withImage(image)
        .withImagePullPolicy(properties.imagePullPolicy())
        .withWorkingDir(PATHS.get("workspace"))
        .withEnv(environment(names, launch))
        .addNewPort().withName("gateway").withContainerPort(port).withProtocol("TCP").endPort()
        .withResources(requirements)
        .withSecurityContext(containerSecurity())
        .withVolumeMounts(mount(AgentNames.VOLUME, AGENT_DIR, false), mount("tmp", TMP_DIR, false));
    if (launch != null) {
      agent.withCommand(launch.command());
    }
    List<KeyToPath> items = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      items.add(new KeyToPathBuilder().withKey(FILE_KEY + i).withMode(0400).withPath(files.get(i)).build());
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(AgentNames.RUN, run);
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(AgentNames.agentLabels(tenantId, agentId)).withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(AgentNames.SERVICE_ACCOUNT)
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withShareProcessNamespace(true)
        .withRuntimeClassName(properties.runtimeClassName())
        .withTerminationGracePeriodSeconds((long) DEFAULT_GRACE_SECONDS)
        .withNewSecurityContext()
        .withRunAsNonRoot(true).withRunAsUser(properties.runAsUser()).withRunAsGroup(properties.runAsUser())
        .withFsGroup(properties.runAsUser()).withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withInitContainers(prepare)
        .withContainers(agent.build())
        .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity(properties.tmpSize()))
        .endEmptyDir().endVolume()
        .addNewVolume().withName("launch").withNewSecret().withSecretName(names.secret()).withDefaultMode(0400)
        .withItems(items).withOptional(true).endSecret().endVolume()
        .endSpec().build();
  }

  /**
   * The launch's variables, each read from the Secret, and the agent's own {@code HOME} and {@code TMPDIR}
   * (always: they are part of its isolation). {@code PATH} is the image's unless the launch sets one.
   */
  private static List<EnvVar> environment(AgentNames names, Launch launch) {
    List<EnvVar> env = new ArrayList<>();
    if (launch != null) {
      launch.environment().keySet().stream().sorted().filter(n -> !n.equals("HOME") && !n.equals("TMPDIR"))
          .forEach(name -> env.add(new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
              .withName(names.secret()).withKey(ENV_KEY + name).endSecretKeyRef().endValueFrom().build()));
    }
    env.add(new EnvVar("HOME", PATHS.get("home"), null));
    env.add(new EnvVar("TMPDIR", PATHS.get("tmp"), null));
    return env;
  }

  private SecurityContext containerSecurity() {
    return new SecurityContextBuilder().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(properties.readOnlyRootFilesystem()).withPrivileged(false)
        .withNewCapabilities().withDrop("ALL").endCapabilities().build();
  }

  private static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new VolumeMountBuilder().withName(volume).withMountPath(path).withReadOnly(readOnly).build();
  }

  /**
   * The launch's file names, checked, in a stable order (their index is their key in the Secret): the state's,
   * then the workspace's under {@link #WORKSPACE_PREFIX}.
   */
  static List<String> fileNames(Launch launch) {
    List<String> names = new ArrayList<>(launch.files().keySet().stream().sorted().toList());
    for (String name : names) {
      if (!plain(name) || name.startsWith(WORKSPACE_PREFIX)) {
        throw new IllegalArgumentException("launch file '" + name + "' is not a plain path inside the state "
            + "directory");
      }
    }
    for (String name : launch.workspaceFiles().keySet().stream().sorted().toList()) {
      if (!plain(name)) {
        throw new IllegalArgumentException("workspace file '" + name + "' is not a plain path inside the "
            + "workspace");
      }
      names.add(WORKSPACE_PREFIX + name);
    }
    return List.copyOf(names);
  }

  private static boolean plain(String name) {
    return FILE_NAME.matcher(name).matches() && !List.of(name.split("/")).contains("..");
  }

  private static String checkEnvName(String name) {
    if (!ENV_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("launch variable '" + name + "' is not a valid environment variable name");
    }
    return name;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** An agent's memory and CPU: both its requests and its limits, so its pod is never squeezed by a neighbour. */
  record Resources(long memoryMb, long cpuMillis) {

    /** The tenant's agent limits; unlimited (null) is none. */
    static Resources of(dev.reef.orchestration.TenantQuota limits) {
      return new Resources(limits.agentMemoryMb() == null ? 0 : limits.agentMemoryMb(),
          limits.agentCpuMillis() == null ? 0 : limits.agentCpuMillis());
    }

    ResourceRequirements requirements() {
      Map<String, Quantity> values = TenantObjects.resources(memoryMb, cpuMillis);
      return new ResourceRequirementsBuilder().withRequests(values).withLimits(values).build();
    }
  }
}
