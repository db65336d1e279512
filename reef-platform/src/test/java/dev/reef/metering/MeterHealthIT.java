package dev.reef.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.ReefIT;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Reef configured for a Redis that is not there: it still starts (the meter connects lazily), the overall health is
 * DOWN because of the {@code meter} contributor, but liveness stays UP, so the orchestrator takes the replica out of
 * rotation instead of restarting it.
 */
@TestPropertySource(properties = {"reef.redis.url=redis://127.0.0.1:1", "reef.redis.timeout=100ms"})
class MeterHealthIT extends ReefIT {

  @Test
  void unreachableRedis_healthDown_livenessUp() {
    assertThat(api.get("/actuator/health", null).at("/status")).isEqualTo("DOWN");
    assertThat(api.get("/actuator/health/liveness", null).at("/status")).isEqualTo("UP");
  }
}
