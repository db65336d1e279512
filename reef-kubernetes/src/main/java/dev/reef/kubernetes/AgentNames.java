package dev.reef.kubernetes;

import dev.reef.common.TenantId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The names of one agent's objects, derived from its tenant and agent ids alone: a stored placement is never trusted
 * to name a namespace or an object, so a tampered or foreign placement cannot point the driver at another tenant's
 * things.
 *
 * <p>Lengths: a namespace is the prefix (at most 25) and a tenant id (36); the StatefulSet's name (42) leaves room
 * for the {@code controller-revision-hash} label its pods get (name, '-', 10 characters: at most 63).
 */
record AgentNames(String namespace, String statefulSet, String service, String secret, String pod, String claim) {

  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String REEF = "reef";
  static final String COMPONENT = "app.kubernetes.io/component";
  static final String TENANT = "reef.dev/tenant";
  static final String AGENT = "reef.dev/agent";

  /** On the pod template and its pods: which start made the pod. */
  static final String RUN = "reef.dev/run";
  /** On the StatefulSet: how the last run ended, when it ended by itself. */
  static final String EXIT_CODE = "reef.dev/exit-code";
  static final String EXIT_REASON = "reef.dev/exit-reason";
  /** On the StatefulSet: the last lines of the last run's output, its pod being gone. */
  static final String LAST_LOG = "reef.dev/last-log";

  /** The volume claim template (state, workspace, home) and so the prefix of the claim's name. */
  static final String VOLUME = "agent";
  static final String CONTAINER = "agent";
  static final String SERVICE_ACCOUNT = "reef-agent";

  static String namespaceOf(String prefix, TenantId tenantId) {
    return prefix + tenantId;
  }

  static AgentNames of(String prefix, TenantId tenantId, UUID agentId) {
    String name = "agent-" + agentId;
    return new AgentNames(namespaceOf(prefix, tenantId), name, name, name + "-launch", name + "-0",
        VOLUME + "-" + name + "-0");
  }

  /** Labels of everything Reef makes for a tenant. */
  static Map<String, String> tenantLabels(TenantId tenantId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, REEF);
    labels.put(TENANT, tenantId.toString());
    return labels;
  }

  /** Labels of an agent's objects and pod. */
  static Map<String, String> agentLabels(TenantId tenantId, UUID agentId) {
    Map<String, String> labels = tenantLabels(tenantId);
    labels.put(COMPONENT, "agent");
    labels.put(AGENT, agentId.toString());
    return labels;
  }

  /** What selects the agent's pod: its id alone, which never changes. */
  static Map<String, String> selector(UUID agentId) {
    return Map.of(AGENT, agentId.toString());
  }
}
