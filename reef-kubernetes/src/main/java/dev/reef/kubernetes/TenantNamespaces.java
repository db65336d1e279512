package dev.reef.kubernetes;

import dev.reef.common.TenantId;
import dev.reef.orchestration.TenantQuota;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each tenant's namespace as its quota says: made (or brought back in line) before every start of one of its
 * agents, and brought in line again when its limits change. A namespace holds one tenant's agents only; it is named
 * after the tenant and labelled with its id, and nothing of another tenant is ever written into it.
 */
final class TenantNamespaces {

  private static final Logger log = LoggerFactory.getLogger(TenantNamespaces.class);

  private final KubernetesClient client;
  private final TenantObjects objects;

  TenantNamespaces(KubernetesClient client, TenantObjects objects) {
    this.client = client;
    this.objects = objects;
  }

  /** Makes the tenant's namespace and what it holds, or brings them in line, with this quota. */
  void prepare(TenantId tenantId, TenantQuota quota) {
    ensure(tenantId);
    applyLimits(tenantId, quota);
  }

  /** Makes the tenant's namespace, its service account and its network policy, or brings them in line. */
  void ensure(TenantId tenantId) {
    ensureNamespace(tenantId);
    apply(client, objects.serviceAccount(tenantId));
    apply(client, objects.networkPolicy(tenantId));
  }

  /**
   * After a change of the tenant's limits: its quota and limit range, and the resources of its agents' pods (which
   * take effect at each agent's next start: a running agent is not restarted for it). Nothing happens for a tenant
   * that has no namespace yet.
   */
  void limitsChanged(TenantId tenantId, TenantQuota quota) {
    if (client.namespaces().withName(objects.namespace(tenantId)).get() == null) {
      return;
    }
    applyLimits(tenantId, quota);
    ResourceRequirements wanted = AgentObjects.Resources.of(quota).requirements();
    for (StatefulSet set : client.apps().statefulSets().inNamespace(objects.namespace(tenantId))
        .withLabel(AgentNames.MANAGED_BY, AgentNames.REEF).withLabel(AgentNames.AGENT).list().getItems()) {
      if (!set.getSpec().getTemplate().getSpec().getContainers().stream()
          .allMatch(c -> Objects.equals(c.getResources(), wanted))) {
        client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace())
            .withName(set.getMetadata().getName()).edit(s -> withResources(s, wanted));
      }
    }
    log.info("Limits of tenant {} applied to namespace {}", tenantId, objects.namespace(tenantId));
  }

  /** Removes the tenant's namespace and everything in it (the tenant is gone). */
  void delete(TenantId tenantId) {
    client.namespaces().withName(objects.namespace(tenantId)).delete();
  }

  private void applyLimits(TenantId tenantId, TenantQuota current) {
    apply(client, objects.quota(tenantId, current));
    apply(client, objects.limitRange(tenantId, current));
  }

  /** Creates the namespace, or adds Reef's labels to one that lost them; other labels (an admin's) are kept. */
  private void ensureNamespace(TenantId tenantId) {
    Namespace wanted = objects.namespaceObject(tenantId);
    Namespace current = client.namespaces().withName(wanted.getMetadata().getName()).get();
    if (current == null) {
      try {
        client.namespaces().resource(wanted).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        current = client.namespaces().withName(wanted.getMetadata().getName()).get();
      }
    }
    Map<String, String> labels = current.getMetadata().getLabels() == null ? Map.of()
        : current.getMetadata().getLabels();
    if (!labels.entrySet().containsAll(wanted.getMetadata().getLabels().entrySet())) {
      client.namespaces().withName(wanted.getMetadata().getName()).edit(n -> {
        Map<String, String> merged = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of()
            : n.getMetadata().getLabels());
        merged.putAll(wanted.getMetadata().getLabels());
        n.getMetadata().setLabels(merged);
        return n;
      });
    }
  }

  private static StatefulSet withResources(StatefulSet set, ResourceRequirements wanted) {
    for (Container c : set.getSpec().getTemplate().getSpec().getContainers()) {
      c.setResources(wanted);
    }
    for (Container c : set.getSpec().getTemplate().getSpec().getInitContainers()) {
      c.setResources(wanted);
    }
    return set;
  }

  /** Creates {@code desired}, or replaces what is there with it: for objects Reef alone writes. */
  static <T extends HasMetadata> T apply(KubernetesClient client, T desired) {
    T current = client.resource(desired).get();
    if (current == null) {
      try {
        return client.resource(desired).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        current = client.resource(desired).get();
      }
    }
    desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    return client.resource(desired).update();
  }
}
