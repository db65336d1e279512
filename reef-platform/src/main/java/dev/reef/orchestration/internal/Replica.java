package dev.reef.orchestration.internal;

import java.net.InetAddress;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This Reef process among the replicas sharing a database: the owner of the agent leases it takes, and the name in
 * the agent events it records. The host name (a pod's name on Kubernetes) plus a random suffix, so a restarted
 * replica is a new owner and never mistakes a lease of its previous life for its own; {@code reef.replica-id} sets it.
 */
@Component
final class Replica {

  /** The width of {@code agents.lease_owner}. */
  static final int MAX_LENGTH = 64;

  private final String id;

  Replica(@Value("${reef.replica-id:}") String configured) {
    if (configured.length() > MAX_LENGTH) {
      throw new IllegalStateException("REEF_REPLICA_ID is " + configured.length() + " characters long; at most "
          + MAX_LENGTH + " are allowed");
    }
    String suffix = "/" + UUID.randomUUID().toString().substring(0, 8);
    String host = hostName();
    // a pod's name may be 63 characters: keep the host part short enough for the suffix
    this.id = configured.isBlank()
        ? host.substring(0, Math.min(host.length(), MAX_LENGTH - suffix.length())) + suffix
        : configured;
  }

  String id() {
    return id;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "reef";
    }
  }
}
