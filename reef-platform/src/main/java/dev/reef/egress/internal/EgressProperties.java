package dev.reef.egress.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The egress proxy's settings ({@code REEF_EGRESS_*}).
 *
 * @param port a TCP port the proxy also listens on, for agents that are not on this machine (the kubernetes
 *     driver's pods), which prove who they are with their agent token; 0 (the default): no TCP port, sandboxed
 *     agents on this machine reach the proxy through a socket of their own
 * @param connectTimeout how long a connection to a destination may take to open
 * @param headTimeout how long an agent may take to send its request's head
 * @param maxConnectionsPerAgent open connections one agent may have through the proxy at once
 */
@ConfigurationProperties("reef.egress")
record EgressProperties(int port, Duration connectTimeout, Duration headTimeout, int maxConnectionsPerAgent) {

  EgressProperties {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("REEF_EGRESS_PORT must be a TCP port (or 0 for none), not " + port);
    }
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
    headTimeout = headTimeout == null ? Duration.ofSeconds(10) : headTimeout;
    maxConnectionsPerAgent = maxConnectionsPerAgent <= 0 ? 64 : maxConnectionsPerAgent;
  }
}
