package dev.reef.testing;

import dev.reef.ReefApplication;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Reef of its own, for tests that restart it (with other master keys, or to see agents survive a restart): its own database (H2 in memory, or a fresh
 * PostgreSQL database in the PostgreSQL run) and its own data dir, both kept across restarts. The shared test
 * context cannot do this: its keyring and database are shared with every other test.
 */
public final class StandaloneReef implements AutoCloseable {

  private final Path dataDir;
  private final PostgresTestDatabase postgres;
  private final Map<String, Object> database = new LinkedHashMap<>();
  private ConfigurableApplicationContext context;

  /** A Reef on a database other Reefs share (several replicas): the caller owns and drops that database. */
  public StandaloneReef(Path dataDir, PostgresTestDatabase shared) {
    this.dataDir = dataDir;
    this.postgres = null;
    database.put("spring.datasource.url", shared.jdbcUrl());
    database.put("spring.datasource.username", shared.username());
    database.put("spring.datasource.password", shared.password());
  }

  public StandaloneReef(Path dataDir) {
    this.dataDir = dataDir;
    if (TestDatabase.postgres()) {
      postgres = PostgresTestDatabase.create();
      database.put("spring.datasource.url", postgres.jdbcUrl());
      database.put("spring.datasource.username", postgres.username());
      database.put("spring.datasource.password", postgres.password());
    } else {
      postgres = null;
      database.put("spring.datasource.url", "jdbc:h2:mem:reef_standalone_" + UUID.randomUUID().toString()
          .replace("-", "") + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
      database.put("spring.datasource.username", "sa");
      database.put("spring.datasource.password", "");
    }
  }

  /** Starts (or restarts) Reef with these extra properties, e.g. {@code reef.secrets.master-key=...}. */
  public StandaloneReef start(Map<String, Object> properties) {
    stop();
    Map<String, Object> all = testDefaults(dataDir);
    all.put("server.port", "0");
    all.putAll(database);
    all.putAll(properties);
    // As command-line arguments: SpringApplicationBuilder.properties() would be defaults, below application.yml.
    context = new SpringApplicationBuilder(ReefApplication.class)
        .run(all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    return this;
  }

  /** What every test Reef runs with: its data dir, the operator tests log in as, open sign-up. */
  static Map<String, Object> testDefaults(Path dataDir) {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("reef.data-dir", dataDir.toString());
    defaults.put("reef.admin.email", "operator@reef.test");
    defaults.put("reef.admin.password", "operator-password-1");
    defaults.put("reef.admin.api-key", ReefApplicationIT.MASTER_KEY);
    defaults.put("reef.signup", "open");
    return defaults;
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public Api api() {
    return new Api(((WebServerApplicationContext) context).getWebServer().getPort());
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path keyringFile() {
    return dataDir.resolve("secrets").resolve("master.keys");
  }

  public void stop() {
    if (context != null) {
      context.close();
      context = null;
    }
  }

  @Override
  public void close() {
    stop();
    if (postgres != null) {
      postgres.drop();
    } else if (((String) database.get("spring.datasource.url")).startsWith("jdbc:h2:")) {
      shutdownH2((String) database.get("spring.datasource.url"));
    }
  }

  /** DB_CLOSE_DELAY=-1 keeps the in-memory database across restarts; this frees it at the end of the test. */
  private static void shutdownH2(String url) {
    try (var c = DriverManager.getConnection(url, "sa", ""); var st = c.createStatement()) {
      st.execute("shutdown");
    } catch (SQLException e) {
      // already gone
    }
  }
}
