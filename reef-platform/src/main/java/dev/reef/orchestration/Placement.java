package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.util.Map;
import java.util.UUID;

/**
 * Where an agent lives, as its driver describes it. Stored with the agent (as JSON) so a restarted Reef finds what
 * it started.
 *
 * @param driver the driver that made it
 * @param listenHost and {@code listenPort}: what the agent must bind to, as seen from inside its placement
 * @param address how Reef reaches the agent, e.g. {@code http://127.0.1.7:18001}
 * @param paths where the agent's directories are, as seen by the agent: {@code state}, {@code workspace},
 *     {@code home}, {@code tmp}
 * @param proxyBaseUrl how the agent reaches Reef's LLM proxy, e.g. {@code http://127.0.0.1:8080/v1}
 * @param attributes driver-specific facts (a process id and its start time, a namespace and StatefulSet name)
 */
public record Placement(
    String driver,
    TenantId tenantId,
    UUID agentId,
    String listenHost,
    int listenPort,
    String address,
    Map<String, String> paths,
    String proxyBaseUrl,
    Map<String, String> attributes) {

  public Placement {
    paths = Map.copyOf(paths);
    attributes = Map.copyOf(attributes);
  }

  public Placement withAttributes(Map<String, String> newAttributes) {
    return new Placement(driver, tenantId, agentId, listenHost, listenPort, address, paths, proxyBaseUrl,
        newAttributes);
  }

  public String path(String name) {
    String path = paths.get(name);
    if (path == null) {
      throw new IllegalStateException("placement has no '" + name + "' path");
    }
    return path;
  }
}
