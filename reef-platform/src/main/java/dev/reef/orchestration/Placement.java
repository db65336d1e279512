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
 * @param address how Reef reaches the agent: {@code http://host:port}, or {@code unix:/path/to/socket} for HTTP
 *     over a Unix socket (a sandboxed agent, which has no network of its own)
 * @param paths where the agent's directories are, as seen by the agent: {@code state}, {@code workspace},
 *     {@code home}, {@code tmp}
 * @param proxyBaseUrl how the agent reaches Reef's LLM proxy, e.g. {@code http://127.0.0.1:8080/v1}
 * @param egressProxyUrl how the agent reaches Reef's egress proxy (an HTTP proxy that allows only its tenant's
 *     allowlist), e.g. {@code http://127.0.0.1:18128}; null where the agent is not confined to it (no sandbox)
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
    String egressProxyUrl,
    Map<String, String> attributes) {

  /**
   * The attribute that names, for an agent reached on a Unix socket, the uid that must be listening there; Reef
   * talks to nobody else on that socket.
   */
  public static final String PEER_UID = "peerUid";

  /**
   * The attribute that says how an agent proves who it is to the egress proxy: absent when the way it connects
   * says so (a socket of its own), {@link #EGRESS_AUTH_AGENT_TOKEN} when it must show its agent token as the proxy
   * password (an agent elsewhere, such as a pod).
   */
  public static final String EGRESS_AUTH = "egressAuth";
  public static final String EGRESS_AUTH_AGENT_TOKEN = "agent-token";

  public Placement {
    paths = Map.copyOf(paths);
    attributes = Map.copyOf(attributes);
  }

  public Placement withAttributes(Map<String, String> newAttributes) {
    return new Placement(driver, tenantId, agentId, listenHost, listenPort, address, paths, proxyBaseUrl,
        egressProxyUrl, newAttributes);
  }

  public String path(String name) {
    String path = paths.get(name);
    if (path == null) {
      throw new IllegalStateException("placement has no '" + name + "' path");
    }
    return path;
  }
}
