package dev.reef.access.internal;

import dev.reef.common.DataScope;
import dev.reef.platform.ReefProperties;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * First start: creates the platform operator from REEF_ADMIN_EMAIL / REEF_ADMIN_PASSWORD, or with a generated
 * password that is printed once to the console (never to the log) and never again. Every start: prints where the
 * dashboard is and how to log in.
 */
@Component
final class OperatorBootstrap implements ApplicationRunner {

  static final String DEFAULT_EMAIL = "admin@reef.local";
  private static final Logger log = LoggerFactory.getLogger(OperatorBootstrap.class);

  private final UserRepository users;
  private final UserAccountService accounts;
  private final ReefProperties properties;
  private final Environment environment;
  private String loginHint = "";

  OperatorBootstrap(UserRepository users, UserAccountService accounts, ReefProperties properties,
      Environment environment) {
    this.users = users;
    this.accounts = accounts;
    this.properties = properties;
    this.environment = environment;
  }

  @Override
  public void run(ApplicationArguments args) {
    String adminKey = properties.admin().apiKey();
    if (adminKey != null && !adminKey.isBlank() && adminKey.length() < 32) {
      throw new IllegalStateException("REEF_ADMIN_API_KEY must be at least 32 characters long; generate one with: "
          + "openssl rand -base64 32");
    }
    DataScope.runAsPlatform(this::ensureOperator);
  }

  private void ensureOperator() {
    String configuredEmail = blankToNull(properties.admin().email());
    String configuredPassword = blankToNull(properties.admin().password());
    if (users.countOperators() > 0) {
      loginHint = configuredEmail != null
          ? "Log in as " + configuredEmail + "."
          : "Log in with the operator account created at first start.";
      return;
    }
    String email = configuredEmail == null ? DEFAULT_EMAIL : configuredEmail;
    if (configuredPassword != null) {
      accounts.create(email, configuredPassword, true);
      loginHint = "Log in as " + email + " with the password from REEF_ADMIN_PASSWORD.";
    } else {
      String generated = SecretTokens.password();
      accounts.createWithTemporaryPassword(email, generated, true); // its owner replaces it at the first login
      loginHint = "Log in as " + email + " with password " + generated
          + "   (generated now and shown only this once: keep it safe)";
    }
    log.info("Created the platform operator account {}", email);
  }

  @EventListener(ApplicationReadyEvent.class)
  void printWelcome() {
    String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    String url = blankToNull(properties.publicUrl()) != null ? properties.publicUrl() : "http://localhost:" + port;
    PrintStream out = System.out;
    out.println();
    out.println("  Reef is running.");
    out.println("  Dashboard: " + url + "/");
    out.println("  " + loginHint);
    if (environment.getProperty("springdoc.swagger-ui.enabled", Boolean.class, true)) {
      out.println("  API docs:  " + url + "/swagger-ui.html");
    }
    out.println("  Data dir:  " + properties.dataDir().toAbsolutePath().normalize()
        + (properties.embedded() ? " (embedded H2 database)" : ""));
    out.println();
    loginHint = "";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
