package dev.reef.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.orchestration.Observed;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodStatesTest {

  private static PodBuilder pod() {
    return new PodBuilder().withNewMetadata().withName("agent-x-0").endMetadata()
        .withNewSpec().addNewContainer().withName("agent").withNewResources()
        .withLimits(Map.of("memory", new Quantity("512Mi"))).endResources().endContainer().endSpec();
  }

  @Test
  void observed_runningContainer_isRunningSinceItStarted() {
    Pod pod = pod().withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("agent")
        .withRestartCount(0).withNewState().withNewRunning().withStartedAt("2026-11-27T10:00:00Z").endRunning()
        .endState().build()).endStatus().build();

    assertThat(PodStates.observed(pod)).contains(new Observed.Running(Instant.parse("2026-11-27T10:00:00Z"), -1));
  }

  @Test
  void observed_containerTheKubeletRestarted_isTheRunThatEnded() {
    Pod pod = pod().withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("agent")
        .withRestartCount(1).withNewState().withNewRunning().withStartedAt("2026-11-27T10:00:09Z").endRunning()
        .endState().withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated()
        .endLastState().build()).endStatus().build();

    assertThat(PodStates.observed(pod)).contains(new Observed.Exited(1, "exited with code 1"));
  }

  @Test
  void observed_outOfMemory_namesTheLimit() {
    Pod pod = pod().withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("agent")
        .withNewState().withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated().endState()
        .build()).endStatus().build();

    assertThat(PodStates.observed(pod)).contains(new Observed.Exited(137,
        "killed by signal 9 (SIGKILL): out of memory, it reached its limit of 512 MB"));
  }

  @Test
  void observed_pendingPod_isNothingYet() {
    assertThat(PodStates.observed(pod().withNewStatus().withPhase("Pending").endStatus().build())).isEmpty();
  }

  @Test
  void startFailure_imagePull_andPreparingFiles_sayWhy() {
    Pod pulling = pod().withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("agent")
        .withImage("ghcr.io/reef-dev/openclaw-agent:9").withNewState().withNewWaiting().withReason("ErrImagePull")
        .withMessage("not found").endWaiting().endState().build()).endStatus().build();
    Pod preparing = pod().withNewStatus().addToInitContainerStatuses(new ContainerStatusBuilder().withName("prepare")
        .withNewState().withNewTerminated().withExitCode(1).withMessage("Read-only file system").endTerminated()
        .endState().build()).endStatus().build();

    assertThat(PodStates.startFailure(pulling)).contains(
        "its image ghcr.io/reef-dev/openclaw-agent:9 cannot be pulled (ErrImagePull: not found)");
    assertThat(PodStates.startFailure(preparing)).contains(
        "preparing its files failed: exited with code 1: Read-only file system");
  }

  @Test
  void pending_saysWhyThePodWaits() {
    Pod unschedulable = pod().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled")
        .withStatus("False").withReason("Unschedulable").withMessage("0/3 nodes are available").endCondition()
        .endStatus().build();

    assertThat(PodStates.pending(unschedulable)).isEqualTo("Unschedulable: 0/3 nodes are available");
    assertThat(PodStates.pending(null)).isEqualTo("no pod was made");
  }

  @Test
  void keep_holdsTheLastLinesWithinTheirBounds() {
    StringBuilder log = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      log.append("line ").append(i).append('\n');
    }
    String kept = PodLogs.keep(log.toString());

    assertThat(kept.split("\n")).hasSize(PodLogs.KEPT_LINES).endsWith("line 300").startsWith("line 201");
    assertThat(PodLogs.keep("x".repeat(40_000))).hasSize(PodLogs.KEPT_CHARS);
  }
}
