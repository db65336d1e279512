package dev.reef.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Integration tests of PostgreSQL-only features (row-level security): always PostgreSQL, skipped or failed without. */
@ExtendWith(PostgresReefIT.RequirePostgres.class)
public abstract class PostgresReefIT extends ReefApplicationIT {

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    TestDatabase.registerPostgres(registry);
  }

  static final class RequirePostgres implements BeforeAllCallback {
    @Override
    public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) {
      TestDatabase.requirePostgres();
    }
  }
}
