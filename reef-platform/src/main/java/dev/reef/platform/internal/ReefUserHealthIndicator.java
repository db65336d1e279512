package dev.reef.platform.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Which user Reef runs as ({@code reefUser} on the operator's health page). Root is said, once in the log at start
 * and on the page as a status of its own (a warning, not an outage): Reef needs root only to give each tenant's
 * agents a uid, control groups and a disk of their own, and whoever takes over a root process has the machine.
 */
@Component
final class ReefUserHealthIndicator implements HealthIndicator {

  static final Status ROOT = new Status("RUNNING_AS_ROOT", "Reef runs as root");
  private static final Logger log = LoggerFactory.getLogger(ReefUserHealthIndicator.class);

  private final long uid;
  private final String name;

  ReefUserHealthIndicator() {
    com.sun.security.auth.module.UnixSystem system = new com.sun.security.auth.module.UnixSystem();
    this.uid = system.getUid();
    this.name = system.getUsername();
    if (uid == 0) {
      log.warn("Reef runs as root. It uses root to run each tenant's agents as a uid of its own, with control groups "
          + "and a disk of their own; everything else it does needs no privilege. Run it on a machine (or VM) of "
          + "its own, where root is nobody else's.");
    }
  }

  @Override
  public Health health() {
    Health.Builder health = uid == 0 ? Health.status(ROOT) : Health.up();
    return health.withDetail("user", name + " (uid " + uid + ")").withDetail("why", uid == 0
        ? "root: needed to give tenants' agents uids, control groups and disks of their own; run Reef on a machine "
            + "(or VM) of its own" : "not root: agents run as this uid, in namespaces of their own").build();
  }
}
