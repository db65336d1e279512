package dev.reef.kubernetes;

import dev.reef.orchestration.ExitStatus;
import dev.reef.orchestration.Observed;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent's pod says about the agent. A run is one pod: its agent container running for the first time is the
 * agent running; that container ending (also when the kubelet has already restarted it, which Reef does not want:
 * restarts are orchestration's, with fresh credentials and backoff) is the agent having exited.
 */
final class PodStates {

  /** Waiting reasons that no amount of waiting cures: the start fails at once, saying why. */
  private static final Set<String> FATAL = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

  private PodStates() {}

  /** The pod's run, as start wrote it on its template. */
  static String run(Pod pod) {
    return pod.getMetadata().getAnnotations() == null ? "" : pod.getMetadata().getAnnotations()
        .getOrDefault(AgentNames.RUN, "");
  }

  static boolean deleting(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** Running, exited, or nothing yet (pending, being created: empty). */
  static Optional<Observed> observed(Pod pod) {
    Optional<ContainerStatus> status = agentStatus(pod);
    if (status.isEmpty()) {
      return Optional.empty();
    }
    Optional<ContainerStateTerminated> ended = ended(status.get());
    if (ended.isPresent()) {
      return Optional.of(exited(ended.get(), memoryLimit(pod)));
    }
    if (status.get().getState() != null && status.get().getState().getRunning() != null) {
      String startedAt = status.get().getState().getRunning().getStartedAt();
      return Optional.of(new Observed.Running(startedAt == null ? null : Instant.parse(startedAt), -1));
    }
    return Optional.empty();
  }

  /** How the run's first agent container ended, if it has. */
  static Optional<ContainerStateTerminated> ended(ContainerStatus status) {
    if (status.getLastState() != null && status.getLastState().getTerminated() != null) {
      return Optional.of(status.getLastState().getTerminated());
    }
    if (status.getState() != null && status.getState().getTerminated() != null) {
      return Optional.of(status.getState().getTerminated());
    }
    return Optional.empty();
  }

  static Observed.Exited exited(ContainerStateTerminated terminated, String memoryLimit) {
    int code = terminated.getExitCode() == null ? -1 : terminated.getExitCode();
    return new Observed.Exited(code, ExitStatus.describe(code, "OOMKilled".equals(terminated.getReason()),
        memoryLimit));
  }

  static Optional<ContainerStatus> agentStatus(Pod pod) {
    return statuses(pod == null || pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses())
        .filter(s -> AgentNames.CONTAINER.equals(s.getName())).findFirst();
  }

  /**
   * Why the pod cannot start, when waiting will not help: its image cannot be pulled, its container cannot be
   * made, or preparing its files failed.
   */
  static Optional<String> startFailure(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (ContainerStatus init : statuses(pod.getStatus().getInitContainerStatuses()).toList()) {
      Optional<ContainerStateTerminated> ended = ended(init);
      if (ended.isPresent() && ended.get().getExitCode() != null && ended.get().getExitCode() != 0) {
        return Optional.of("preparing its files failed: " + ExitStatus.describe(ended.get().getExitCode())
            + message(ended.get().getMessage()));
      }
      Optional<String> fatal = fatal(init);
      if (fatal.isPresent()) {
        return fatal;
      }
    }
    return agentStatus(pod).flatMap(PodStates::fatal);
  }

  /** Why the pod waits, in words, for a start that timed out (e.g. {@code Unschedulable: 0/3 nodes ...}). */
  static String pending(Pod pod) {
    if (pod == null || pod.getStatus() == null) {
      return "no pod was made";
    }
    for (PodCondition condition : pod.getStatus().getConditions() == null ? List.<PodCondition>of()
        : pod.getStatus().getConditions()) {
      if ("False".equals(condition.getStatus()) && condition.getReason() != null) {
        return condition.getReason() + message(condition.getMessage());
      }
    }
    return agentStatus(pod).map(ContainerStatus::getState).map(s -> s.getWaiting())
        .map(w -> w.getReason() + message(w.getMessage())).orElse("pod " + pod.getStatus().getPhase());
  }

  /** The agent container's memory limit in words ("512 MB"), for an out-of-memory exit. */
  static String memoryLimit(Pod pod) {
    return pod.getSpec() == null ? "its memory limit" : pod.getSpec().getContainers().stream()
        .filter(c -> AgentNames.CONTAINER.equals(c.getName())).findFirst()
        .map(c -> c.getResources() == null || c.getResources().getLimits() == null ? null
            : c.getResources().getLimits().get("memory"))
        .map(q -> Quantity.getAmountInBytes(q).divide(BigDecimal.valueOf(1024 * 1024)).longValue() + " MB")
        .orElse("its memory limit");
  }

  private static Optional<String> fatal(ContainerStatus status) {
    ContainerStateWaiting waiting = status.getState() == null ? null : status.getState().getWaiting();
    if (waiting != null && FATAL.contains(waiting.getReason())) {
      String what = waiting.getReason().contains("Image") ? "its image " + status.getImage() + " cannot be pulled"
          : "its container cannot be made";
      return Optional.of(what + " (" + waiting.getReason() + message(waiting.getMessage()) + ")");
    }
    return Optional.empty();
  }

  private static java.util.stream.Stream<ContainerStatus> statuses(List<ContainerStatus> statuses) {
    return statuses == null ? java.util.stream.Stream.empty() : statuses.stream();
  }

  private static String message(String message) {
    return message == null || message.isBlank() ? "" : ": " + message;
  }
}
