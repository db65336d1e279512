package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Reef's egress proxy as compute drivers see it (implemented by the {@code egress} module): the only way an agent
 * reaches anything besides Reef's LLM proxy.
 */
public interface AgentEgress {

  /**
   * Serves one agent's outbound connections (HTTP CONNECT and plain HTTP proxy requests) on a Unix socket made at
   * {@code socket}. Whoever connects there is that agent: the socket is reachable from its sandbox only. Closing
   * the result stops serving and removes the socket.
   */
  Closeable serve(TenantId tenantId, UUID agentId, Path socket) throws IOException;

  /** No egress at all: no socket is made, so every outbound connection of an agent fails. */
  AgentEgress NONE = (tenantId, agentId, socket) -> () -> { };
}
