package dev.reef.metering.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code meter} health contributor: DOWN when the meter's store does not answer. It is in the overall health
 * but not in the liveness group, so an unreachable Redis takes a replica out of rotation without getting it killed
 * (restarting Reef would not bring Redis back).
 */
final class MeterHealthIndicator implements HealthIndicator {

  private final MeterProbe probe;

  MeterHealthIndicator(MeterProbe probe) {
    this.probe = probe;
  }

  @Override
  public Health health() {
    try {
      probe.ping();
      return Health.up().withDetail("implementation", probe.implementation()).build();
    } catch (RuntimeException e) {
      return Health.down().withDetail("implementation", probe.implementation())
          .withDetail("error", e.getClass().getSimpleName()).build();
    }
  }
}
