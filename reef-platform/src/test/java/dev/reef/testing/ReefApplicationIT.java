package dev.reef.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.ReefApplication;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the integration tests: the whole of Reef on a random port. Which database it runs on is chosen by the
 * two subclasses: {@link ReefIT} (H2, or PostgreSQL in the second failsafe execution) and {@link PostgresReefIT}
 * (always PostgreSQL). Tests share one application context per kind, so each test makes its own tenants (unique
 * names) rather than relying on a clean database.
 */
@SpringBootTest(classes = {ReefApplication.class, TestClock.Configuration.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "reef.admin.email=operator@reef.test",
        "reef.admin.password=operator-password-1",
        "reef.admin.api-key=" + ReefApplicationIT.MASTER_KEY,
        "reef.signup=open",
        "reef.login.max-attempts-per-address=100000",
        "reef.api.max-body-bytes=65536",
        "reef.data-dir=target/reef-it-data",
        "reef.agents.delete-grace=1s",
        "reef.agents.reconcile-interval=500ms",
        "reef.agents.backoff-base=200ms"
    })
public abstract class ReefApplicationIT {

  public static final String MASTER_KEY = "test-master-key-0123456789abcdefghijklmnop";

  static {
    LeftoverAgents.killAtExit(java.nio.file.Path.of("target/reef-it-data"));
  }
  private static final AtomicInteger COUNTER = new AtomicInteger();

  @LocalServerPort
  protected int port;

  protected Api api;

  @BeforeEach
  void setUpApi() {
    api = new Api(port);
  }

  /** A tenant made through the public sign-up, with its owner's credentials and first (all-scopes) key. */
  public record SignedUp(String tenantId, String userId, String email, String password, String apiKey) {}

  protected SignedUp signUp(String name) {
    String email = unique(name) + "@example.test";
    String password = "correct-horse-" + UUID.randomUUID();
    Api.Response response = api.post("/api/v1/signup", null,
        Api.body("email", email, "password", password, "tenantName", name));
    assertThat(response.status()).as(response.toString()).isEqualTo(201);
    return new SignedUp(response.at("/tenantId"), response.at("/userId"), email, password, response.at("/apiKey"));
  }

  protected static String unique(String prefix) {
    return prefix.toLowerCase().replaceAll("[^a-z0-9]", "") + "-" + COUNTER.incrementAndGet() + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }
}
