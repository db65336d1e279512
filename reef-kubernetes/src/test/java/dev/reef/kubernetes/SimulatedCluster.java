package dev.reef.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode, plus what a cluster would add and the mock does not: a StatefulSet
 * controller and a kubelet, roughly. A StatefulSet scaled to 1 gets its pod (and its volume claim), "running" at
 * once, whose output is a line naming it; scaled to 0 or deleted, the pod goes. A test can make the next pod of an
 * agent end by itself, end a running one as the kernel would, and read every request the driver made.
 *
 * <p>What this cannot show (no admission, no quota or network enforcement, no scheduling, no image pulls): see
 * docs/kubernetes-driver.md.
 */
final class SimulatedCluster implements AutoCloseable {

  record Request(String method, String path, String body) {}

  private record Ending(int exitCode, String reason, String line) {}

  private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?(.*))?");

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final SharedIndexInformer<StatefulSet> controller;
  private final SharedIndexInformer<Pod> podLogs;
  private final ExecutorService kubelet = Executors.newSingleThreadExecutor();
  /** Each pod's output, by namespace/name, and the uid of the pod it belongs to. */
  private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
  private final Map<String, String> logOwners = new ConcurrentHashMap<>();
  private final Map<String, Ending> nextEndings = new ConcurrentHashMap<>();
  private final Map<String, String> refusals = new ConcurrentHashMap<>();
  private final Map<String, String> pullFailures = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  SimulatedCluster() {
    KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        requests.add(new Request(request.getMethod(), request.getPath(), new String(body, StandardCharsets.UTF_8)));
        Matcher log = LOG.matcher(request.getPath());
        if (request.getMethod().equals("GET") && log.matches()) {
          return podLog(log.group(1), log.group(2), log.group(4));
        }
        return crud.dispatch(request);
      }
    };
    server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init();
    client = server.createClient();
    podLogs = forgetLogsOfDeletedPods();
    controller = client.apps().statefulSets().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(StatefulSet set) {
        kubelet.submit(() -> reconcile(set));
      }

      @Override
      public void onUpdate(StatefulSet before, StatefulSet set) {
        kubelet.submit(() -> reconcile(set));
      }

      @Override
      public void onDelete(StatefulSet set, boolean unknown) {
        kubelet.submit(() -> client.pods().inNamespace(set.getMetadata().getNamespace())
            .withName(set.getMetadata().getName() + "-0").withGracePeriod(0).delete());
      }
    });
  }

  /** A pod's log goes with the pod. */
  private SharedIndexInformer<Pod> forgetLogsOfDeletedPods() {
    return client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {}

      @Override
      public void onUpdate(Pod before, Pod pod) {}

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        if (logOwners.remove(key, pod.getMetadata().getUid())) {
          logs.remove(key);
        }
      }
    });
  }

  /** A client of the cluster (each driver under test gets its own). */
  NamespacedKubernetesClient newClient() {
    return server.createClient();
  }

  NamespacedKubernetesClient client() {
    return client;
  }

  /** The next pod of this StatefulSet writes {@code line} and ends with {@code exitCode} ({@code reason} as a kubelet says it). */
  void endNextPod(String namespace, String statefulSet, int exitCode, String reason, String line) {
    nextEndings.put(namespace + "/" + statefulSet, new Ending(exitCode, reason, line));
  }

  /** The StatefulSet's pods are refused from now on (as a quota would refuse them), with this message. */
  void refusePods(String namespace, String statefulSet, String message) {
    refusals.put(namespace + "/" + statefulSet, message);
  }

  /** Ends the running pod's agent container, as SIGKILL or the OOM killer would. */
  void endPod(String namespace, String pod, int exitCode, String reason) {
    Pod current = client.pods().inNamespace(namespace).withName(pod).get();
    client.pods().inNamespace(namespace).resource(new PodBuilder(current)
        .withStatus(terminated(current.getStatus(), exitCode, reason)).build()).updateStatus();
  }

  /** The next pod of this StatefulSet cannot pull its image: it waits in ImagePullBackOff. */
  void failNextPull(String namespace, String statefulSet, String message) {
    pullFailures.put(namespace + "/" + statefulSet, message);
  }

  void appendLog(String namespace, String pod, String line) {
    logs.computeIfAbsent(namespace + "/" + pod, k -> new CopyOnWriteArrayList<>()).add(line);
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  // --- the "controller" and "kubelet" --------------------------------------------------------------------------------

  private void reconcile(StatefulSet set) {
    String namespace = set.getMetadata().getNamespace();
    String podName = set.getMetadata().getName() + "-0";
    Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
    int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    if (replicas > 0 && pod == null) {
      String refusal = refusals.get(namespace + "/" + set.getMetadata().getName());
      if (refusal != null) {
        client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
            .withGenerateName(set.getMetadata().getName() + ".").withNamespace(namespace).endMetadata()
            .withNewInvolvedObject().withKind("StatefulSet").withName(set.getMetadata().getName())
            .withNamespace(namespace).endInvolvedObject().withReason("FailedCreate").withMessage(refusal)
            .withLastTimestamp(Instant.now().toString()).build()).create();
        return;
      }
      set.getSpec().getVolumeClaimTemplates().forEach(template -> claim(set, template));
      Ending ending = nextEndings.remove(namespace + "/" + set.getMetadata().getName());
      Pod created = client.pods().inNamespace(namespace).resource(new PodBuilder()
          .withNewMetadata().withName(podName).withNamespace(namespace)
          .withLabels(set.getSpec().getTemplate().getMetadata().getLabels())
          .withAnnotations(set.getSpec().getTemplate().getMetadata().getAnnotations())
          .endMetadata()
          .withSpec(set.getSpec().getTemplate().getSpec()).build()).create();
      logOwners.put(namespace + "/" + podName, created.getMetadata().getUid());
      logs.put(namespace + "/" + podName, new CopyOnWriteArrayList<>(List.of("pod " + podName + " started")));
      PodStatus status = running();
      String pullFailure = pullFailures.remove(namespace + "/" + set.getMetadata().getName());
      if (pullFailure != null) {
        status = new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
            .withName(AgentNames.CONTAINER).withImage(created.getSpec().getContainers().getFirst().getImage())
            .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage(pullFailure).endWaiting()
            .endState().build()).build();
      }
      if (ending != null) {
        appendLog(namespace, podName, ending.line());
        status = terminated(status, ending.exitCode(), ending.reason());
      }
      client.pods().inNamespace(namespace).resource(new PodBuilder(created).withStatus(status).build())
          .updateStatus();
    } else if (replicas == 0 && pod != null) {
      client.pods().inNamespace(namespace).withName(podName).withGracePeriod(0).delete();
    }
  }

  private void claim(StatefulSet set, PersistentVolumeClaim template) {
    String name = template.getMetadata().getName() + "-" + set.getMetadata().getName() + "-0";
    if (client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace()).withName(name).get() == null) {
      client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace()).resource(
          new PersistentVolumeClaimBuilder(template).editMetadata().withName(name)
              .withNamespace(set.getMetadata().getNamespace()).endMetadata().build()).create();
    }
  }

  private static PodStatus running() {
    ContainerStatus prepare = new ContainerStatusBuilder().withName("prepare").withNewState().withNewTerminated()
        .withExitCode(0).withReason("Completed").endTerminated().endState().build();
    ContainerStatus agent = new ContainerStatusBuilder().withName(AgentNames.CONTAINER).withRestartCount(0)
        .withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState().build();
    return new PodStatusBuilder().withPhase("Running").withInitContainerStatuses(prepare)
        .withContainerStatuses(agent).build();
  }

  private static PodStatus terminated(PodStatus status, int exitCode, String reason) {
    ContainerStatus agent = new ContainerStatusBuilder().withName(AgentNames.CONTAINER).withRestartCount(0)
        .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
        .withFinishedAt(Instant.now().toString()).endTerminated().endState().build();
    return new PodStatusBuilder(status).withPhase("Running").withContainerStatuses(agent).build();
  }

  private MockResponse podLog(String namespace, String pod, String query) {
    List<String> lines = logs.get(namespace + "/" + pod);
    if (lines == null) { // runs on the mock server's event loop: no API calls here
      return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404}");
    }
    Map<String, String> params = new HashMap<>();
    if (query != null) {
      for (String pair : query.split("&")) {
        String[] kv = pair.split("=", 2);
        params.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    List<String> selected = new ArrayList<>(lines);
    if (params.containsKey("tailLines")) {
      int n = Integer.parseInt(params.get("tailLines"));
      selected = selected.subList(Math.max(0, selected.size() - n), selected.size());
    }
    StringBuilder body = new StringBuilder();
    selected.forEach(l -> body.append(l).append('\n'));
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body.toString());
  }

  @Override
  public void close() {
    controller.close();
    podLogs.close();
    kubelet.shutdownNow();
    client.close();
    server.destroy();
  }
}
