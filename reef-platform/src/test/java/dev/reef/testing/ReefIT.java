package dev.reef.testing;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Integration tests against the embedded default (H2); tests tagged {@code database-matrix} run a second time
 * against PostgreSQL, as an ordinary role with row-level security in force.
 */
@ExtendWith(TestDatabase.class)
public abstract class ReefIT extends ReefApplicationIT {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    TestDatabase.register(registry);
  }
}
