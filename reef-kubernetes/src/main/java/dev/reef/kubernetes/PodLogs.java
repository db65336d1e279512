package dev.reef.kubernetes;

import dev.reef.orchestration.LogStream;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An agent's output, from the pod log API (the kubelet keeps the container's stdout and stderr). A pod's log goes
 * with the pod, so the last lines of a run that ended (stopped, or exited by itself) are kept on the StatefulSet
 * ({@link AgentNames#LAST_LOG}) and come before the current pod's lines. Following carries on from one pod of the
 * agent to the next (a stop and a start) until it is closed.
 */
final class PodLogs implements LogStream {

  /** How many lines of a finished run are kept, and at most how many characters. */
  static final int KEPT_LINES = 100;
  static final int KEPT_CHARS = 16 * 1024;
  private static final Duration NEXT_POD_POLL = Duration.ofMillis(500);

  private final KubernetesClient client;
  private final AgentWatch watch;
  private final AgentNames names;

  PodLogs(KubernetesClient client, AgentWatch watch, AgentNames names) {
    this.client = client;
    this.watch = watch;
    this.names = names;
  }

  @Override
  public List<String> tail(int lines) throws IOException {
    List<String> all = new ArrayList<>(watch.statefulSet(names).map(PodLogs::kept).orElse(List.of()));
    Optional<Pod> pod = watch.pod(names);
    if (pod.isPresent() && PodStates.agentStatus(pod.get()).isPresent()) {
      all.addAll(lines(read(client, names, Math.max(1, lines), false)));
    }
    return all.size() <= lines ? all : all.subList(all.size() - lines, all.size());
  }

  @Override
  public AutoCloseable follow(Consumer<String> sink) {
    AtomicReference<LogWatch> current = new AtomicReference<>();
    Thread follower = Thread.ofVirtual().name("reef-agent-log-" + names.statefulSet()).start(() -> {
      // the pod that runs when following begins: only its new lines (tail gave the earlier ones); later pods: all
      String first = runningPod().map(p -> p.getMetadata().getUid()).orElse(null);
      String done = null;
      while (!Thread.currentThread().isInterrupted()) {
        String uid = runningPod().map(p -> p.getMetadata().getUid()).orElse(null);
        if (uid != null && !uid.equals(done)) {
          followPod(uid.equals(first), current, sink);
          done = uid;
        } else if (!KubernetesComputeDriver.sleep(NEXT_POD_POLL)) {
          return;
        }
      }
    });
    return () -> {
      follower.interrupt();
      LogWatch w = current.get();
      if (w != null) {
        w.close();
      }
    };
  }

  private Optional<Pod> runningPod() {
    return watch.pod(names).filter(p -> PodStates.agentStatus(p).isPresent());
  }

  private void followPod(boolean onlyNew, AtomicReference<LogWatch> current, Consumer<String> sink) {
    PodResource pod = client.pods().inNamespace(names.namespace()).withName(names.pod());
    try (LogWatch w = onlyNew ? pod.inContainer(AgentNames.CONTAINER).tailingLines(0).watchLog()
        : pod.inContainer(AgentNames.CONTAINER).watchLog()) {
      current.set(w);
      BufferedReader reader = new BufferedReader(new InputStreamReader(w.getOutput(), StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        sink.accept(line);
      }
    } catch (IOException | KubernetesClientException e) {
      // the pod went away (stopped): wait for the next one
    } finally {
      current.set(null);
    }
  }

  /**
   * The last lines of the agent container's output, or "" when there is none to read. {@code previous}: of the
   * container before the kubelet restarted it.
   */
  static String read(KubernetesClient client, AgentNames names, int lines, boolean previous) {
    try {
      var container = client.pods().inNamespace(names.namespace()).withName(names.pod())
          .inContainer(AgentNames.CONTAINER);
      String log = previous ? container.terminated().tailingLines(lines).getLog()
          : container.tailingLines(lines).getLog();
      return log == null ? "" : log;
    } catch (KubernetesClientException e) {
      return "";
    }
  }

  /** A run's last lines as kept on the StatefulSet: at most {@link #KEPT_LINES} and {@link #KEPT_CHARS}. */
  static String keep(String log) {
    List<String> lines = lines(log);
    List<String> kept = lines.size() <= KEPT_LINES ? lines : lines.subList(lines.size() - KEPT_LINES, lines.size());
    String text = String.join("\n", kept);
    if (text.length() <= KEPT_CHARS) {
      return text;
    }
    int cut = text.indexOf('\n', text.length() - KEPT_CHARS);
    return cut < 0 ? text.substring(text.length() - KEPT_CHARS) : text.substring(cut + 1);
  }

  private static List<String> kept(StatefulSet set) {
    String kept = set.getMetadata().getAnnotations() == null ? null
        : set.getMetadata().getAnnotations().get(AgentNames.LAST_LOG);
    return kept == null || kept.isEmpty() ? List.of() : lines(kept);
  }

  private static List<String> lines(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (lines.getLast().isEmpty()) {
      lines.removeLast();
    }
    return lines;
  }
}
