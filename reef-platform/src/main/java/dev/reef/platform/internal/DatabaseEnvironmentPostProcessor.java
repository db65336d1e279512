package dev.reef.platform.internal;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Reef's own database settings into Spring's datasource properties before anything connects.
 *
 * <p>No {@code REEF_DATABASE_URL}: an H2 file database inside the data dir (the embedded default, in PostgreSQL
 * compatibility mode so the same migrations run on both). Otherwise the URL may be a JDBC URL or the
 * {@code postgresql://user:password@host:port/db} form most hosting providers hand out. An explicitly set
 * {@code spring.datasource.url} (as tests do) wins over both.
 */
public final class DatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

  /**
   * {@code DB_CLOSE_ON_EXIT=FALSE}: H2 would otherwise close the database from a JVM shutdown hook of its own, which
   * runs at the same time as Spring's, so on SIGTERM the usage ledger's last flush sometimes found the database
   * already closed. Spring closes the connection pool, and with it the database, after everything that uses it.
   */
  public static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
      + ";DB_CLOSE_ON_EXIT=FALSE";

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE; // after application.yml has been loaded
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    if (hasText(env.getProperty("spring.datasource.url"))) {
      return;
    }
    Map<String, Object> props = new LinkedHashMap<>();
    String url = env.getProperty("reef.database.url");
    if (!hasText(url)) {
      Path dataDir = Path.of(env.getProperty("reef.data-dir", ".reef-data")).toAbsolutePath().normalize();
      keepPrivate(dataDir);
      // only one process can open the embedded database: a second Reef is refused here, in one sentence
      DataDirLock.acquire(dataDir);
      application.addListeners(event -> {
        if (event instanceof org.springframework.context.event.ContextClosedEvent
            || event instanceof org.springframework.boot.context.event.ApplicationFailedEvent) {
          DataDirLock.release(dataDir);
        }
      });
      props.put("spring.datasource.url", "jdbc:h2:file:" + dataDir.resolve("db").resolve("reef") + H2_OPTIONS);
      props.put("spring.datasource.username", "reef");
      props.put("spring.datasource.password", "");
    } else {
      props.putAll(toDatasource(url.trim(), env.getProperty("reef.database.username"),
          env.getProperty("reef.database.password")));
    }
    env.getPropertySources().addFirst(new MapPropertySource("reefDatabase", props));
  }

  /**
   * The data directory and the embedded database's directory are Reef's alone (0700), and so are the database's
   * files (0600): H2 makes its files as the umask says, often readable by everyone. Agents never see the data
   * directory (their sandbox does not contain it); this is the wall against other users of the machine.
   */
  static void keepPrivate(Path dataDir) {
    try {
      Path db = dataDir.resolve("db");
      Files.createDirectories(db);
      for (Path dir : List.of(dataDir, db)) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      try (Stream<Path> files = Files.list(db)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalStateException("Cannot make the data directory " + dataDir + " private to Reef's user ("
          + e.getMessage() + "); check REEF_DATA_DIR", e);
    }
  }

  /** Maps a configured database URL to {@code spring.datasource.*}; rejects what it cannot use with a clear reason. */
  static Map<String, Object> toDatasource(String url, String username, String password) {
    Map<String, Object> props = new LinkedHashMap<>();
    if (url.startsWith("jdbc:")) {
      props.put("spring.datasource.url", url);
    } else if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      URI uri = URI.create(url);
      if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
        throw new IllegalStateException(
            "REEF_DATABASE_URL must name a host and a database, like postgresql://user:password@host:5432/reef");
      }
      String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      props.put("spring.datasource.url", "jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query);
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null && !userInfo.isEmpty()) {
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
        props.put("spring.datasource.username", URLDecoder.decode(user, StandardCharsets.UTF_8));
        if (colon >= 0) {
          props.put("spring.datasource.password",
              URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8));
        }
      }
    } else {
      throw new IllegalStateException("REEF_DATABASE_URL is not a PostgreSQL URL: expected "
          + "postgresql://user:password@host:5432/db or jdbc:postgresql://host:5432/db");
    }
    if (hasText(username)) {
      props.put("spring.datasource.username", username);
    }
    if (hasText(password)) {
      props.put("spring.datasource.password", password);
    }
    return props;
  }

  private static boolean hasText(String s) {
    return s != null && !s.isBlank();
  }
}
