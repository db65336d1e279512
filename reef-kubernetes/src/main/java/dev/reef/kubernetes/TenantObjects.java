package dev.reef.kubernetes;

import dev.reef.common.TenantId;
import dev.reef.orchestration.TenantQuota;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a tenant's namespace holds besides its agents, built from its effective limits: the namespace itself, a
 * ResourceQuota and a LimitRange (pods, memory and CPU), a default-deny NetworkPolicy (in: Reef's pods only; out:
 * Reef's LLM proxy and the cluster's DNS only), and the ServiceAccount agents run as, with no API token.
 */
final class TenantObjects {

  static final String QUOTA = "reef-tenant-quota";
  static final String LIMIT_RANGE = "reef-agent-limits";
  static final String NETWORK_POLICY = "reef-agent-network";
  /** The namespace label every cluster sets (since 1.22), which network policies select namespaces by. */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private final KubernetesDriverProperties properties;

  TenantObjects(KubernetesDriverProperties properties) {
    this.properties = properties;
  }

  String namespace(TenantId tenantId) {
    return AgentNames.namespaceOf(properties.namespacePrefix(), tenantId);
  }

  /**
   * The tenant's namespace. Pod Security Admission enforces the {@code restricted} profile in it: no agent pod may
   * run as root, escalate privileges or keep capabilities, whatever made it.
   */
  Namespace namespaceObject(TenantId tenantId) {
    return new NamespaceBuilder().withNewMetadata().withName(namespace(tenantId))
        .withLabels(namespaceLabels(tenantId)).endMetadata().build();
  }

  static Map<String, String> namespaceLabels(TenantId tenantId) {
    Map<String, String> labels = AgentNames.tenantLabels(tenantId);
    labels.put("pod-security.kubernetes.io/enforce", "restricted");
    labels.put("pod-security.kubernetes.io/enforce-version", "latest");
    return labels;
  }

  ServiceAccount serviceAccount(TenantId tenantId) {
    return new ServiceAccountBuilder().withNewMetadata().withName(AgentNames.SERVICE_ACCOUNT)
        .withNamespace(namespace(tenantId)).withLabels(AgentNames.tenantLabels(tenantId)).endMetadata()
        .withAutomountServiceAccountToken(false).build();
  }

  /**
   * At most {@code maxAgents} agent pods and volumes, and that many agents' worth of memory and CPU. A limit the
   * tenant does not have (unlimited) is left out.
   */
  ResourceQuota quota(TenantId tenantId, TenantQuota limits) {
    Map<String, Quantity> hard = new LinkedHashMap<>();
    Long agents = positive(limits.maxAgents());
    if (agents != null) {
      hard.put("pods", new Quantity(Long.toString(agents)));
      hard.put("persistentvolumeclaims", new Quantity(Long.toString(agents)));
      Quantity storage = new Quantity(properties.storageSize());
      hard.put("requests.storage", multiply(storage, agents));
      Long memory = positive(limits.agentMemoryMb());
      if (memory != null) {
        hard.put("requests.memory", mebibytes(memory * agents));
        hard.put("limits.memory", mebibytes(memory * agents));
      }
      Long cpu = positive(limits.agentCpuMillis());
      if (cpu != null) {
        hard.put("requests.cpu", millicores(cpu * agents));
        hard.put("limits.cpu", millicores(cpu * agents));
      }
    }
    return new ResourceQuotaBuilder().withNewMetadata().withName(QUOTA).withNamespace(namespace(tenantId))
        .withLabels(AgentNames.tenantLabels(tenantId)).endMetadata()
        .withNewSpec().withHard(hard).endSpec().build();
  }

  /** Each container at most the tenant's agent memory and CPU, and that by default (requests equal to limits). */
  LimitRange limitRange(TenantId tenantId, TenantQuota limits) {
    Map<String, Quantity> max = resources(limits.agentMemoryMb(), limits.agentCpuMillis());
    return new LimitRangeBuilder().withNewMetadata().withName(LIMIT_RANGE).withNamespace(namespace(tenantId))
        .withLabels(AgentNames.tenantLabels(tenantId)).endMetadata()
        .withNewSpec().addNewLimit().withType("Container").withMax(max).withDefault(max).withDefaultRequest(max)
        .endLimit().endSpec().build();
  }

  /**
   * Default deny for every pod of the namespace. In: only Reef's own pods, on the agents' port. Out: only Reef's
   * pods on the ports of its LLM proxy and its egress proxy (which allows the tenant's allowlist and nothing else),
   * and the cluster's DNS (to find Reef's Service). Everything else an agent tries (the internet directly, other
   * tenants, the API server, cloud metadata) is dropped, where the cluster's network plugin enforces policies.
   */
  NetworkPolicy networkPolicy(TenantId tenantId) {
    NetworkPolicyPeer reef = new NetworkPolicyPeerBuilder()
        .withNewNamespaceSelector().withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, reefNamespace())).endNamespaceSelector()
        .withNewPodSelector().withMatchLabels(properties.reefPodLabels()).endPodSelector().build();
    NetworkPolicyPeer dns = new NetworkPolicyPeerBuilder()
        .withNewNamespaceSelector().withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, properties.dnsNamespace()))
        .endNamespaceSelector()
        .withNewPodSelector().withMatchLabels(properties.dnsPodLabels()).endPodSelector().build();
    return new NetworkPolicyBuilder().withNewMetadata().withName(NETWORK_POLICY).withNamespace(namespace(tenantId))
        .withLabels(AgentNames.tenantLabels(tenantId)).endMetadata()
        .withNewSpec()
        .withNewPodSelector().endPodSelector()
        .withPolicyTypes("Ingress", "Egress")
        .addNewIngress().withFrom(reef).withPorts(port("TCP", properties.agentPort())).endIngress()
        .addNewEgress().withTo(reef).withPorts(port("TCP", properties.reefPodPort()),
            port("TCP", properties.egressPort())).endEgress()
        .addNewEgress().withTo(dns).withPorts(port("UDP", 53), port("TCP", 53)).endEgress()
        .endSpec().build();
  }

  /** The namespace Reef runs in, as configured or as the client found it. */
  String reefNamespace() {
    return properties.reefNamespace() == null ? "reef" : properties.reefNamespace();
  }

  /** Memory and CPU as requests or limits; an unlimited (null or 0) value is left out. */
  static Map<String, Quantity> resources(Long memoryMb, Long cpuMillis) {
    Map<String, Quantity> resources = new LinkedHashMap<>();
    if (positive(memoryMb) != null) {
      resources.put("memory", mebibytes(memoryMb));
    }
    if (positive(cpuMillis) != null) {
      resources.put("cpu", millicores(cpuMillis));
    }
    return resources;
  }

  private static NetworkPolicyPort port(String protocol, int port) {
    return new NetworkPolicyPortBuilder().withProtocol(protocol).withPort(new IntOrString(port)).build();
  }

  static Quantity mebibytes(long mb) {
    return new Quantity(mb + "Mi");
  }

  static Quantity millicores(long millis) {
    return new Quantity(millis + "m");
  }

  private static Quantity multiply(Quantity quantity, long times) {
    return new Quantity(quantity.getNumericalAmount().multiply(java.math.BigDecimal.valueOf(times)).toPlainString());
  }

  private static Long positive(Long value) {
    return value == null || value <= 0 ? null : value;
  }
}
