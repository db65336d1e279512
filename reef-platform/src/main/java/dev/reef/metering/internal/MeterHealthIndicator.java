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

  /** A fresh round trip to the meter's store (Redis; nothing for the in-process meter) in seconds; NaN if down. */
  double roundTripSeconds() {
    long started = System.nanoTime();
    try {
      probe.ping();
      return (System.nanoTime() - started) / 1e9;
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  @Override
  public Health health() {
    long started = System.nanoTime();
    try {
      probe.ping();
      long micros = (System.nanoTime() - started) / 1_000;
      return Health.up().withDetail("implementation", probe.implementation())
          .withDetail("roundTripMillis", micros / 1000.0).build();
    } catch (RuntimeException e) {
      return Health.down().withDetail("implementation", probe.implementation())
          .withDetail("error", e.getClass().getSimpleName()).build();
    }
  }
}
