package dev.reef.platform;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything an operator can configure, bound from {@code reef.*} (and the {@code REEF_*} environment variables
 * mapped in application.yml). README.md lists each one.
 */
@ConfigurationProperties("reef")
public record ReefProperties(
    Path dataDir,
    String publicUrl,
    Database database,
    Signup signup,
    Admin admin,
    Api api,
    Login login,
    Limits limits) {

  public ReefProperties {
    dataDir = dataDir == null ? Path.of(".reef-data") : dataDir;
    database = database == null ? new Database(null, null, null) : database;
    admin = admin == null ? new Admin(null, null, null) : admin;
    api = api == null ? new Api(0) : api;
    login = login == null ? new Login(0, 0, null) : login;
    limits = limits == null ? new Limits(null) : limits;
  }

  /** True when no external database is configured: Reef runs on H2 in the data dir. */
  public boolean embedded() {
    return database.url() == null || database.url().isBlank();
  }

  /** {@code REEF_DATABASE_URL}: PostgreSQL as {@code postgresql://user:pass@host:5432/db} or a JDBC URL. */
  public record Database(String url, String username, String password) {}

  public enum Signup { OPEN, CLOSED }

  /** {@code REEF_SIGNUP}; when unset, sign-up is open in embedded mode and closed with an external database. */
  public boolean signupOpen() {
    return signup == null ? embedded() : signup == Signup.OPEN;
  }

  /** The first platform operator, created at first start. */
  public record Admin(String email, String password, String apiKey) {}

  /** @param maxBodyBytes requests with a larger body get 413 (default 1 MiB) */
  public record Api(long maxBodyBytes) {
    public Api {
      maxBodyBytes = maxBodyBytes <= 0 ? 1024 * 1024 : maxBodyBytes;
    }
  }

  /**
   * Login throttling: within {@code window}, at most {@code maxFailuresPerAccount} failed attempts for one account from
   * one client address (so a stranger's guesses never lock the owner out), and {@code maxAttemptsPerAddress} attempts
   * per client address, before further attempts are refused.
   */
  public record Login(int maxFailuresPerAccount, int maxAttemptsPerAddress, Duration window) {
    public Login {
      maxFailuresPerAccount = maxFailuresPerAccount <= 0 ? 5 : maxFailuresPerAccount;
      maxAttemptsPerAddress = maxAttemptsPerAddress <= 0 ? 50 : maxAttemptsPerAddress;
      window = window == null ? Duration.ofMinutes(15) : window;
    }
  }

  public record Limits(LimitDefaults defaults) {
    public Limits {
      defaults = defaults == null ? LimitDefaults.BUILT_IN : defaults;
    }
  }

  /**
   * Platform-wide default limits, used where neither the tenant nor its plan says otherwise. Any may be null for
   * "unlimited" when set through configuration as an empty value.
   */
  public record LimitDefaults(
      BigDecimal monthlyBudgetUsd,
      Long monthlyTokens,
      Integer requestsPerMinute,
      Long tokensPerMinute,
      Integer maxConcurrentRequests,
      Integer maxAgents,
      Integer agentMemoryMb,
      Integer agentCpuMillis,
      Integer agentMaxProcesses,
      Integer agentDiskMb,
      Integer idleStopMinutes,
      Integer runtimePinDays) {

    public static final LimitDefaults BUILT_IN =
        new LimitDefaults(new BigDecimal("25.00"), null, 60, 200_000L, 8, 1, 1536, 1000, 512, 2048, 30, 0);
  }
}
