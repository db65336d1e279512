package dev.reef.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the cluster says of every agent, kept current by two informers (a list, then a watch) on the StatefulSets and
 * pods that carry Reef's agent labels, in every namespace. Observing an agent reads this cache: no API call per
 * observation, however often the reconciler looks.
 */
final class AgentWatch implements AutoCloseable {

  private final SharedIndexInformer<StatefulSet> statefulSets;
  private final SharedIndexInformer<Pod> pods;

  /** Starts both informers and returns once each has its first list; {@code podChanged} hears of every pod change. */
  AgentWatch(KubernetesClient client, Consumer<Pod> podChanged) {
    this.statefulSets = client.apps().statefulSets().inAnyNamespace()
        .withLabel(AgentNames.MANAGED_BY, AgentNames.REEF).withLabel(AgentNames.AGENT).inform();
    this.pods = client.pods().inAnyNamespace()
        .withLabel(AgentNames.MANAGED_BY, AgentNames.REEF).withLabel(AgentNames.AGENT)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            podChanged.accept(pod);
          }

          @Override
          public void onUpdate(Pod before, Pod pod) {
            podChanged.accept(pod);
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {}
        });
  }

  Optional<StatefulSet> statefulSet(AgentNames names) {
    return Optional.ofNullable(statefulSets.getStore().getByKey(names.namespace() + "/" + names.statefulSet()));
  }

  Optional<Pod> pod(AgentNames names) {
    return Optional.ofNullable(pods.getStore().getByKey(names.namespace() + "/" + names.pod()));
  }

  @Override
  public void close() {
    pods.close();
    statefulSets.close();
  }
}
