package dev.reef.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A throw-away PostgreSQL database for one test JVM: a uniquely named database owned by a uniquely named ordinary
 * role (not a superuser, so row-level security applies exactly as in production). Dropped when the JVM exits;
 * leftovers of killed runs older than two hours are swept at the next start.
 *
 * <p>The server is the one on this machine ({@code 127.0.0.1:5432}, user {@code postgres}); override with
 * {@code REEF_TEST_POSTGRES_URL}, {@code REEF_TEST_POSTGRES_USER}, {@code REEF_TEST_POSTGRES_PASSWORD}.
 */
public final class PostgresTestDatabase {

  private static final String PREFIX = "reef_it_";
  private static final String ADMIN_URL = env("REEF_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
  private static final String ADMIN_USER = env("REEF_TEST_POSTGRES_USER", "postgres");
  private static final String ADMIN_PASSWORD = env("REEF_TEST_POSTGRES_PASSWORD", "");
  private static PostgresTestDatabase shared;

  private final String name;
  private final String role;
  private final String password;

  private PostgresTestDatabase(String name, String role, String password) {
    this.name = name;
    this.role = role;
    this.password = password;
  }

  /** Whether the server answers; the reason it does not, otherwise. */
  public static String unavailableReason() {
    try (Connection c = admin()) {
      return null;
    } catch (SQLException e) {
      return "PostgreSQL is not reachable at " + ADMIN_URL + " as " + ADMIN_USER + " (" + e.getMessage() + ")";
    }
  }

  /** The database shared by every test in this JVM, created on first use. */
  public static synchronized PostgresTestDatabase shared() {
    if (shared == null) {
      shared = create();
      PostgresTestDatabase db = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(db::drop, "drop-" + db.name));
    }
    return shared;
  }

  /** A fresh database the caller must {@link #drop()}. */
  public static PostgresTestDatabase create() {
    sweepLeftovers();
    String suffix = Instant.now().getEpochSecond() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String name = PREFIX + suffix;
    String password = UUID.randomUUID().toString();
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("create role " + name + " login password '" + password + "' nosuperuser nobypassrls nocreatedb nocreaterole");
      st.execute("create database " + name + " owner " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create test database " + name, e);
    }
    return new PostgresTestDatabase(name, name, password);
  }

  public String jdbcUrl() {
    return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
  }

  /** The ordinary role the application connects as. */
  public String username() {
    return role;
  }

  public String password() {
    return password;
  }

  public String name() {
    return name;
  }

  /** A connection as the server's administrator, into this database (bypasses row-level security). */
  public Connection adminConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), ADMIN_USER, ADMIN_PASSWORD);
  }

  /**
   * An outage, as the application sees one: every open connection to this database is cut, and new ones are
   * refused ("database does not allow connections") until {@link #allowConnections()}.
   */
  public void refuseConnections() {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("alter database " + name + " allow_connections false");
      st.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name + "'");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not cut " + name + " off", e);
    }
  }

  public void allowConnections() {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("alter database " + name + " allow_connections true");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not reopen " + name, e);
    }
  }

  public void drop() {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("drop database if exists " + name + " with (force)");
      st.execute("drop role if exists " + role);
    } catch (SQLException e) {
      System.err.println("Could not drop test database " + name + ": " + e.getMessage());
    }
  }

  private static void sweepLeftovers() {
    long cutoff = Instant.now().minus(Duration.ofHours(2)).getEpochSecond();
    try (Connection c = admin(); Statement st = c.createStatement()) {
      List<String> stale = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("select datname from pg_database where datname like '" + PREFIX + "%'")) {
        while (rs.next()) {
          String db = rs.getString(1);
          String[] parts = db.substring(PREFIX.length()).split("_");
          if (parts.length == 2 && parts[0].matches("\\d+") && Long.parseLong(parts[0]) < cutoff) {
            stale.add(db);
          }
        }
      }
      for (String db : stale) {
        st.execute("drop database if exists " + db + " with (force)");
        st.execute("drop role if exists " + db);
      }
    } catch (SQLException e) {
      // best effort: a failed sweep must not fail the tests
    }
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection(ADMIN_URL, ADMIN_USER, ADMIN_PASSWORD);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
