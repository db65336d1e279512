package dev.reef.orchestration.internal.process;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The agent sandbox on the operator's health page ({@code sandbox}): how agents are confined here and what is
 * weaker than the full sandbox. Off ({@code REEF_SANDBOX=none}) or impossible on this machine is not DOWN - Reef's
 * API and LLM proxy work, and a load balancer must not take the replica out - but a status of its own that the
 * health page shows as a warning.
 */
final class SandboxHealthIndicator implements HealthIndicator {

  static final Status UNSANDBOXED = new Status("UNSANDBOXED", "agents run without a sandbox (REEF_SANDBOX=none)");
  static final Status UNAVAILABLE = new Status("AGENTS_UNAVAILABLE", "agents cannot be sandboxed here");

  private final Sandboxing sandboxing;
  private final ProcessComputeDriver driver;

  SandboxHealthIndicator(Sandboxing sandboxing, ProcessComputeDriver driver) {
    this.sandboxing = sandboxing;
    this.driver = driver;
  }

  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    Health.Builder health;
    if (!sandboxing.wanted()) {
      health = Health.status(UNSANDBOXED);
      details.put("mode", "none: AGENTS ARE NOT SANDBOXED; each runs as Reef's user and can read Reef's data, other "
          + "agents' files and the network (development only)");
    } else if (!sandboxing.support().usable()) {
      health = Health.status(UNAVAILABLE);
      details.put("mode", "bubblewrap, unavailable: " + sandboxing.support().problem().orElse("unknown"));
    } else {
      health = Health.up();
      details.put("mode", "bubblewrap");
      details.put("uids", sandboxing.support().separateUids() ? "one per tenant"
          : "Reef's own (Reef is not root)");
      if (!sandboxing.support().weaker().isEmpty()) {
        details.put("weaker", String.join(" ", sandboxing.support().weaker()));
      }
    }
    details.put("limits", driver.describeLimits());
    return health.withDetails(details).build();
  }
}
