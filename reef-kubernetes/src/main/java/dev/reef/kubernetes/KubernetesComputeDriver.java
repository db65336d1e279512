package dev.reef.kubernetes;

import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DriverChecks;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.LogStream;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.TenantQuota;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each agent as a one-pod StatefulSet in its tenant's namespace.
 *
 * <p>Design note. {@link #create} makes the tenant's namespace (quota, limit range, network policy, service
 * account: {@link TenantNamespaces}), the agent's headless Service (its stable address) and its StatefulSet with no
 * pods. Each {@link #start} replaces the agent's Secret (its launch: fresh tokens each time), writes the launch into
 * the pod template under a new run id, and scales to 1; it returns once the agent's container runs, and fails
 * (scaling back to 0) when the pod cannot start: image not pullable, quota exceeded, nothing schedulable in time.
 * {@link #stop} scales to 0 and deletes the pod with the given grace (SIGTERM, then SIGKILL); the volume stays.
 * {@link #destroy} deletes the StatefulSet, Service, Secret and volume. Everything is found again from the tenant and
 * agent ids in the placement: a restarted Reef picks up where the last one was.
 *
 * <p>Observing reads the {@link AgentWatch} cache. A run is one pod: when its agent container ends by itself, the
 * driver records how on the StatefulSet and scales it to 0, as an ended process stays ended; the kubelet's own
 * restart (a StatefulSet's pods always restart) would otherwise run the agent again with credentials already
 * revoked and outside orchestration's backoff and give-up.
 */
final class KubernetesComputeDriver implements ComputeDriver, AutoCloseable {

  static final String NAME = "kubernetes";
  static final String LISTEN_HOST = "0.0.0.0";

  // placement attributes: for people reading a placement; the driver derives names from the ids alone
  static final String NAMESPACE = "namespace";
  static final String STATEFUL_SET = "statefulSet";
  static final String IMAGE = "image";
  /** The agent's memory and CPU as its spec gave them at create: what its pod gets at the start that follows. */
  static final String MEMORY_MB = "memoryMb";
  static final String CPU_MILLIS = "cpuMillis";

  private static final Duration DESTROY_GRACE = Duration.ofSeconds(10);
  private static final Duration GONE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CACHE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration EVENTS_AFTER = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Logger log = LoggerFactory.getLogger(KubernetesComputeDriver.class);

  private final KubernetesClient client;
  private final KubernetesDriverProperties properties;
  private final AgentObjects objects;
  private final TenantNamespaces tenants;
  private final AgentWatch watch;
  private final Clock clock;
  private final ExecutorService exits = Executors.newVirtualThreadPerTaskExecutor();
  /** Pods whose end is being recorded, so that a burst of updates records it once. */
  private final Set<String> ending = ConcurrentHashMap.newKeySet();

  KubernetesComputeDriver(KubernetesClient client, KubernetesDriverProperties properties, TenantNamespaces tenants,
      Clock clock) {
    this.clock = clock;
    this.client = client;
    this.properties = properties;
    this.objects = new AgentObjects(properties);
    this.tenants = tenants;
    this.watch = new AgentWatch(client, this::podChanged);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsLocalRuntime() {
    return false;
  }

  // --- tenants -----------------------------------------------------------------------------------------------------

  @Override
  public void prepareTenant(dev.reef.common.TenantId tenantId, TenantQuota quota) {
    tenants.prepare(tenantId, quota);
  }

  @Override
  public void tenantChanged(dev.reef.common.TenantId tenantId, TenantQuota quota) {
    tenants.limitsChanged(tenantId, quota);
  }

  @Override
  public void tenantDeleted(dev.reef.common.TenantId tenantId) {
    tenants.delete(tenantId);
  }

  // --- create ------------------------------------------------------------------------------------------------------

  @Override
  public Placement create(AgentSpec spec) {
    DriverChecks.requirePort(spec);
    int port = spec.port() == 0 ? properties.agentPort() : spec.port();
    tenants.ensure(spec.tenantId());
    AgentNames names = objects.names(spec.tenantId(), spec.agentId());
    String image = properties.imageFor(spec.runtime(), spec.runtimeVersion());
    createIfAbsent(objects.service(spec.tenantId(), spec.agentId(), port));
    createIfAbsent(objects.statefulSet(spec.tenantId(), spec.agentId(), image, port,
        new AgentObjects.Resources(spec.memoryMb(), spec.cpuMillis())));
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(NAMESPACE, names.namespace());
    attributes.put(STATEFUL_SET, names.statefulSet());
    attributes.put(IMAGE, image);
    attributes.put(MEMORY_MB, Long.toString(spec.memoryMb()));
    attributes.put(CPU_MILLIS, Long.toString(spec.cpuMillis()));
    // a pod is not known by a socket of its own: it shows its agent token to the egress proxy
    attributes.put(Placement.EGRESS_AUTH, Placement.EGRESS_AUTH_AGENT_TOKEN);
    return new Placement(NAME, spec.tenantId(), spec.agentId(), LISTEN_HOST, port, objects.address(names, port),
        AgentObjects.PATHS, properties.proxyUrl(), properties.egressUrl(), attributes);
  }

  /** The memory and CPU create recorded; none (0) for a placement made before it recorded them. */
  private static AgentObjects.Resources resources(Placement placement) {
    return new AgentObjects.Resources(number(placement.attributes().get(MEMORY_MB)),
        number(placement.attributes().get(CPU_MILLIS)));
  }

  private static long number(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void createIfAbsent(io.fabric8.kubernetes.api.model.HasMetadata object) {
    if (client.resource(object).get() == null) {
      try {
        client.resource(object).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
    }
  }

  // --- start -------------------------------------------------------------------------------------------------------

  @Override
  public Placement start(Placement placement, Launch launch) {
    AgentNames names = names(placement);
    if (observe(placement) instanceof Observed.Running) {
      return placement;
    }
    tenants.ensure(placement.tenantId());
    StatefulSet existing = client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet())
        .get();
    if (existing == null) {
      // deleted behind Reef's back: made again, as create would
      createIfAbsent(objects.service(placement.tenantId(), placement.agentId(), placement.listenPort()));
      createIfAbsent(objects.statefulSet(placement.tenantId(), placement.agentId(), image(placement, null),
          placement.listenPort(), new AgentObjects.Resources(0, 0)));
    } else if (watch.pod(names).isPresent() || replicas(existing) > 0) {
      removePod(names, Duration.ofSeconds(2)); // what is left of an earlier run
    }
    TenantNamespaces.apply(client, objects.launchSecret(placement.tenantId(), placement.agentId(), launch));
    String run = UUID.randomUUID().toString();
    AgentObjects.Resources resources = resources(placement);
    editStatefulSet(names, set -> {
      String image = image(placement, set);
      set.getSpec().setTemplate(objects.podTemplate(placement.tenantId(), placement.agentId(), image,
          placement.listenPort(), resources, launch, run));
      set.getSpec().setReplicas(1);
      annotations(set).remove(AgentNames.EXIT_CODE);
      annotations(set).remove(AgentNames.EXIT_REASON);
      return set;
    });
    awaitRunning(names, run, clock.instant());
    log.info("Started agent {} of tenant {} in {} (run {})", placement.agentId(), placement.tenantId(),
        names.namespace(), run);
    return placement;
  }

  /**
   * Returns once the run's agent container runs, or has already ended (its end is then on the StatefulSet, where
   * start had cleared the last one); otherwise scales back to 0 and throws, saying why.
   */
  private void awaitRunning(AgentNames names, String run, Instant began) {
    long deadline = System.nanoTime() + properties.startTimeout().toNanos();
    long eventsFrom = System.nanoTime() + EVENTS_AFTER.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Optional<Pod> pod = watch.pod(names).filter(p -> run.equals(PodStates.run(p)) && !PodStates.deleting(p));
      if (pod.isPresent()) {
        if (PodStates.observed(pod.get()).isPresent()) {
          return;
        }
        Optional<String> failure = PodStates.startFailure(pod.get());
        if (failure.isPresent()) {
          throw startFailed(names, failure.get());
        }
      } else if (watch.statefulSet(names).filter(set -> readAnnotations(set).containsKey(AgentNames.EXIT_CODE))
          .isPresent()) {
        return;
      } else if (System.nanoTime() - eventsFrom >= 0) {
        Optional<String> refused = refusedPod(names, began);
        if (refused.isPresent()) {
          throw startFailed(names, "its pod was refused: " + refused.get());
        }
        eventsFrom = System.nanoTime() + EVENTS_AFTER.toNanos();
      }
      if (!sleep(POLL)) {
        throw startFailed(names, "interrupted while starting");
      }
    }
    String why = refusedPod(names, began).map(r -> "its pod was refused: " + r)
        .orElseGet(() -> PodStates.pending(watch.pod(names).orElse(null)));
    throw startFailed(names, "its container did not start within " + properties.startTimeout().toSeconds() + " s ("
        + why + ")");
  }

  /** The StatefulSet controller's complaint about making the pod (a quota exceeded, a policy refused it). */
  private Optional<String> refusedPod(AgentNames names, Instant began) {
    return client.v1().events().inNamespace(names.namespace()).list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && names.statefulSet().equals(e.getInvolvedObject().getName()))
        .filter(e -> "FailedCreate".equals(e.getReason()))
        .filter(e -> !eventTime(e).isBefore(began.minusSeconds(1)))
        .map(Event::getMessage).findFirst();
  }

  private static Instant eventTime(Event event) {
    String time = event.getLastTimestamp() != null ? event.getLastTimestamp() : event.getFirstTimestamp();
    return time == null ? Instant.MAX : Instant.parse(time);
  }

  private IllegalStateException startFailed(AgentNames names, String reason) {
    removePod(names, Duration.ZERO);
    return new IllegalStateException("Agent " + names.statefulSet() + " in " + names.namespace()
        + " could not be started: " + reason);
  }

  // --- stop, destroy -----------------------------------------------------------------------------------------------

  @Override
  public Placement stop(Placement placement, Duration grace) {
    AgentNames names = names(placement);
    if (client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).get() == null) {
      return placement;
    }
    String lastLines = watch.pod(names).isPresent() ? PodLogs.keep(PodLogs.read(client, names, PodLogs.KEPT_LINES,
        false)) : null;
    editStatefulSet(names, set -> {
      set.getSpec().setReplicas(0);
      annotations(set).remove(AgentNames.EXIT_CODE);
      annotations(set).remove(AgentNames.EXIT_REASON);
      if (lastLines != null && !lastLines.isEmpty()) {
        annotations(set).put(AgentNames.LAST_LOG, lastLines);
      }
      return set;
    });
    removePod(names, grace);
    return placement;
  }

  /**
   * Scales the agent to 0 and deletes its pod with {@code grace} (the kubelet sends SIGTERM, then SIGKILL once it
   * has passed); waits until the pod is gone, forcing it when it is not after the grace and a margin.
   */
  private void removePod(AgentNames names, Duration grace) {
    editStatefulSet(names, set -> {
      set.getSpec().setReplicas(0);
      return set;
    });
    long seconds = Math.max(grace.isZero() ? 0 : 1, (grace.toMillis() + 999) / 1000);
    deletePod(names, seconds);
    if (!DriverChecks.awaitUntil(() -> watch.pod(names).isEmpty(), grace.plus(GONE_TIMEOUT), POLL)) {
      log.warn("Pod {} in {} still there after {}; forcing it", names.pod(), names.namespace(), grace);
      deletePod(names, 0);
      DriverChecks.awaitUntil(() -> watch.pod(names).isEmpty(), CACHE_TIMEOUT, POLL);
    }
  }

  private void deletePod(AgentNames names, long graceSeconds) {
    client.pods().inNamespace(names.namespace()).withName(names.pod()).withGracePeriod(graceSeconds).delete();
  }

  @Override
  public void destroy(Placement placement) {
    AgentNames names = names(placement);
    stop(placement, DESTROY_GRACE);
    client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).delete();
    client.services().inNamespace(names.namespace()).withName(names.service()).delete();
    client.secrets().inNamespace(names.namespace()).withName(names.secret()).delete();
    // the claim the StatefulSet made from its template (older clusters ignore its retention policy)
    client.persistentVolumeClaims().inNamespace(names.namespace()).withName(names.claim()).delete();
    DriverChecks.awaitUntil(() -> watch.statefulSet(names).isEmpty() && watch.pod(names).isEmpty(), CACHE_TIMEOUT,
        POLL);
    log.info("Destroyed agent {} of tenant {}", placement.agentId(), placement.tenantId());
  }

  // --- observe, logs -----------------------------------------------------------------------------------------------

  @Override
  public Observed observe(Placement placement) {
    AgentNames names = names(placement);
    Optional<StatefulSet> set = watch.statefulSet(names);
    if (set.isEmpty()) {
      return new Observed.Missing();
    }
    Optional<Observed> fromPod = watch.pod(names).filter(p -> !PodStates.deleting(p)).flatMap(PodStates::observed);
    if (fromPod.isPresent()) {
      return fromPod.get();
    }
    Map<String, String> annotations = readAnnotations(set.get());
    if (annotations.containsKey(AgentNames.EXIT_CODE)) {
      try {
        return new Observed.Exited(Integer.parseInt(annotations.get(AgentNames.EXIT_CODE)),
            annotations.getOrDefault(AgentNames.EXIT_REASON, ""));
      } catch (NumberFormatException e) {
        return new Observed.Missing();
      }
    }
    return new Observed.Missing();
  }

  @Override
  public LogStream logs(Placement placement) {
    return new PodLogs(client, watch, names(placement));
  }

  // --- a run that ends by itself -------------------------------------------------------------------------------------

  /** From the informer: an agent container of a current run that has ended gets its end recorded. */
  private void podChanged(Pod pod) {
    if (PodStates.deleting(pod)) {
      return;
    }
    Optional<ContainerStateTerminated> ended = PodStates.agentStatus(pod).flatMap(PodStates::ended);
    if (ended.isPresent() && ending.add(pod.getMetadata().getUid())) {
      exits.submit(() -> {
        try {
          recordExit(pod, ended.get());
        } catch (RuntimeException e) {
          log.warn("Could not record the end of pod {} in {}: {}", pod.getMetadata().getName(),
              pod.getMetadata().getNamespace(), e.toString());
        } finally {
          ending.remove(pod.getMetadata().getUid());
        }
      });
    }
  }

  /**
   * Keeps how the run ended and its last output on the StatefulSet, and scales it to 0 - unless the StatefulSet has
   * moved on (a stop, or a new start) meanwhile: then the update conflicts or the run id differs, and nothing is done.
   */
  private void recordExit(Pod pod, ContainerStateTerminated ended) {
    AgentNames names = new AgentNames(pod.getMetadata().getNamespace(), statefulSetOf(pod), null, null,
        pod.getMetadata().getName(), null);
    StatefulSet set = client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).get();
    if (set == null || replicas(set) == 0 || !PodStates.run(pod).equals(templateRun(set))) {
      return;
    }
    boolean restarted = PodStates.agentStatus(pod).map(s -> s.getRestartCount() != null && s.getRestartCount() > 0)
        .orElse(false);
    String lastLines = PodLogs.keep(PodLogs.read(client, names, PodLogs.KEPT_LINES, restarted));
    Observed.Exited exited = PodStates.exited(ended, PodStates.memoryLimit(pod));
    StatefulSet changed = new StatefulSetBuilder(set).build();
    changed.getSpec().setReplicas(0);
    annotations(changed).put(AgentNames.EXIT_CODE, Integer.toString(exited.exitCode()));
    annotations(changed).put(AgentNames.EXIT_REASON, exited.reason());
    if (!lastLines.isEmpty()) {
      annotations(changed).put(AgentNames.LAST_LOG, lastLines);
    }
    try {
      client.resource(changed).update(); // with the resource version read above: fails if it changed since
      log.info("Agent {} in {} ended by itself ({}); scaled to 0", names.statefulSet(), names.namespace(),
          exited.reason());
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  /**
   * The agent's names. A stored placement is not trusted to name them: it must be this driver's, and the names come
   * from its tenant and agent ids.
   */
  private AgentNames names(Placement placement) {
    DriverChecks.requireOwn(placement, NAME);
    return objects.names(placement.tenantId(), placement.agentId());
  }

  /** The image the StatefulSet has, or the placement's when there is no StatefulSet to ask. */
  private String image(Placement placement, StatefulSet set) {
    if (set != null) {
      return set.getSpec().getTemplate().getSpec().getContainers().stream()
          .filter(c -> AgentNames.CONTAINER.equals(c.getName())).findFirst().map(c -> c.getImage())
          .orElseThrow(() -> new IllegalStateException("StatefulSet " + set.getMetadata().getName()
              + " has no agent container"));
    }
    String image = placement.attributes().get(IMAGE);
    if (image == null) {
      throw new IllegalStateException("the StatefulSet of agent " + placement.agentId() + " is gone, and its "
          + "placement does not say which image it ran: delete the agent and deploy it again");
    }
    return image;
  }

  /** Changes the StatefulSet; one that is gone (deleted meanwhile, its namespace with its tenant) needs no change. */
  private void editStatefulSet(AgentNames names, UnaryOperator<StatefulSet> change) {
    try {
      client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).edit(change);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  private static String statefulSetOf(Pod pod) {
    String name = pod.getMetadata().getName();
    return name.substring(0, name.lastIndexOf('-'));
  }

  private static String templateRun(StatefulSet set) {
    Map<String, String> a = set.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? "" : a.getOrDefault(AgentNames.RUN, "");
  }

  private static int replicas(StatefulSet set) {
    return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
  }

  /** The annotations of a cached object, never to be changed. */
  private static Map<String, String> readAnnotations(StatefulSet set) {
    return set.getMetadata().getAnnotations() == null ? Map.of() : set.getMetadata().getAnnotations();
  }

  /** The annotations of an object being changed. */
  private static Map<String, String> annotations(StatefulSet set) {
    if (set.getMetadata().getAnnotations() == null) {
      set.getMetadata().setAnnotations(new HashMap<>());
    }
    return set.getMetadata().getAnnotations();
  }


  /** Sleeps; false (with the thread's interrupt flag set again) when interrupted. */
  static boolean sleep(Duration d) {
    try {
      Thread.sleep(d);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    watch.close();
    exits.shutdownNow();
  }
}
