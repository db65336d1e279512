package dev.reef.testing;

import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Which database the integration tests run against: H2 (the embedded default) unless the system property
 * {@code reef.test.database=postgresql} asks for PostgreSQL, as the second failsafe execution does.
 */
public final class TestDatabase implements BeforeAllCallback {

  private static final String H2_URL = "jdbc:h2:mem:reef_" + UUID.randomUUID().toString().replace("-", "")
      + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

  public static boolean postgres() {
    return "postgresql".equalsIgnoreCase(System.getProperty("reef.test.database", "h2"));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (postgres()) {
      requirePostgres();
    }
  }

  public static void requirePostgres() {
    RequiredService.require(PostgresTestDatabase.unavailableReason(),
        "Install and start PostgreSQL (apt-get install postgresql) or set REEF_TEST_POSTGRES_URL.");
  }

  public static void register(DynamicPropertyRegistry registry) {
    if (postgres()) {
      registerPostgres(registry);
    } else {
      registry.add("spring.datasource.url", () -> H2_URL);
      registry.add("spring.datasource.username", () -> "sa");
      registry.add("spring.datasource.password", () -> "");
    }
  }

  public static void registerPostgres(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> PostgresTestDatabase.shared().jdbcUrl());
    registry.add("spring.datasource.username", () -> PostgresTestDatabase.shared().username());
    registry.add("spring.datasource.password", () -> PostgresTestDatabase.shared().password());
  }
}
