package dev.reef.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

class DatabaseEnvironmentPostProcessorTest {

  @Test
  void toDatasource_postgresUrlWithCredentials_becomesJdbc() {
    Map<String, Object> props = DatabaseEnvironmentPostProcessor.toDatasource(
        "postgresql://reef:s%40cret@db.example:6543/reef?sslmode=require", null, null);
    assertThat(props).containsEntry("spring.datasource.url", "jdbc:postgresql://db.example:6543/reef?sslmode=require")
        .containsEntry("spring.datasource.username", "reef")
        .containsEntry("spring.datasource.password", "s@cret");
  }

  @Test
  void toDatasource_explicitCredentials_winOverUrl() {
    Map<String, Object> props = DatabaseEnvironmentPostProcessor.toDatasource(
        "postgres://a:b@localhost/reef", "app", "pw");
    assertThat(props).containsEntry("spring.datasource.url", "jdbc:postgresql://localhost/reef")
        .containsEntry("spring.datasource.username", "app").containsEntry("spring.datasource.password", "pw");
  }

  @Test
  void toDatasource_jdbcUrl_keptAsIs() {
    assertThat(DatabaseEnvironmentPostProcessor.toDatasource("jdbc:postgresql://h/db", null, null))
        .containsEntry("spring.datasource.url", "jdbc:postgresql://h/db");
  }

  @Test
  void toDatasource_unknownScheme_failsWithHint() {
    assertThatThrownBy(() -> DatabaseEnvironmentPostProcessor.toDatasource("mysql://h/db", null, null))
        .hasMessageContaining("postgresql://user:password@host:5432/db");
    assertThatThrownBy(() -> DatabaseEnvironmentPostProcessor.toDatasource("postgresql://hostonly", null, null))
        .hasMessageContaining("must name a host and a database");
  }

  @Test
  void postProcess_noDatabaseUrl_usesH2InDataDir() {
    MockEnvironment env = new MockEnvironment().withProperty("reef.data-dir", "/tmp/reef-x");
    new DatabaseEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
    assertThat(env.getProperty("spring.datasource.url"))
        .isEqualTo("jdbc:h2:file:/tmp/reef-x/db/reef" + DatabaseEnvironmentPostProcessor.H2_OPTIONS);
  }

  @Test
  void postProcess_explicitSpringDatasource_untouched() {
    MockEnvironment env = new MockEnvironment().withProperty("spring.datasource.url", "jdbc:h2:mem:x")
        .withProperty("reef.database.url", "postgresql://h/db");
    new DatabaseEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
    assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:h2:mem:x");
  }
}
