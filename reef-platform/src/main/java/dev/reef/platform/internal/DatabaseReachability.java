package dev.reef.platform.internal;

import javax.sql.DataSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Whether the database answers, for the readiness probe ({@code database} in the readiness group). An unreachable
 * database makes this replica {@code DEGRADED}, which the probe answers with 200, not 503: LLM calls go on with
 * what the replica knew (keys, limits, catalog, the usage journal), so taking every replica out of its load balancer
 * at once would turn a database outage into a total one. Everything that needs the database answers 503
 * {@code database-unavailable} meanwhile, and {@code /actuator/health} (whose {@code db} is DOWN) says so too.
 */
@Component("database")
final class DatabaseReachability implements HealthIndicator {

  static final Status DEGRADED = new Status("DEGRADED",
      "the database cannot be reached: LLM calls go on for callers known before, everything else answers 503");

  private final DataSource dataSource;

  DatabaseReachability(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Health health() {
    try (var connection = dataSource.getConnection()) {
      return connection.isValid(1) ? Health.up().build() : Health.status(DEGRADED).build();
    } catch (java.sql.SQLException | RuntimeException e) {
      return Health.status(DEGRADED).withDetail("error", e.getClass().getSimpleName()).build();
    }
  }
}
