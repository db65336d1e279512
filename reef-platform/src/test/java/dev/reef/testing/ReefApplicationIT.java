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
        "reef.agents.persona-max-bytes=16384",
        "reef.admin.api-key=" + ReefApplicationIT.MASTER_KEY,
        "reef.signup=open",
        "reef.login.max-attempts-per-address=100000",
        "reef.api.max-body-bytes=65536",
        "reef.data-dir=target/reef-it-data",
        "reef.agents.delete-grace=1s",
        "reef.agents.reconcile-interval=500ms",
        "reef.agents.backoff-base=200ms",
        "reef.agents.move-quiet-period=1s",
        "reef.agents.move-settle=500ms",
        "reef.channels.sweep-interval=1s",
        "reef.channels.wake-after=2s",
        "reef.schedules.tick=1s",
        "reef.schedules.wake-lead=60s",
        "reef.schedules.keep-awake-within=30s",
        "reef.schedules.min-wake-gap=10s"
    })
public abstract class ReefApplicationIT {

  public static final String MASTER_KEY = "test-master-key-0123456789abcdefghijklmnop";

  static {
    LeftoverAgents.killAtExit(java.nio.file.Path.of("target/reef-it-data"));
  }
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** Telegram, Slack and Discord, as far as Reef can tell: one fake of each for the test JVM. */
  @org.springframework.test.context.DynamicPropertySource
  static void fakeTelegram(org.springframework.test.context.DynamicPropertyRegistry registry) {
    registry.add("reef.channels.telegram-api-root", () -> FakeTelegram.shared().apiRoot());
    registry.add("reef.channels.slack-api-root", () -> FakeChatApps.shared().slackRoot());
    registry.add("reef.channels.discord-api-root", () -> FakeChatApps.shared().discordRoot());
    registry.add("reef.channels.discord-gateway-url", () -> FakeChatApps.shared().discordGatewayUrl());
  }

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
    return signUp(api, name);
  }

  /** A new tenant and its owner, signed up on any Reef (a standalone one, a Reef process). */
  public static SignedUp signUp(Api api, String name) {
    String email = unique(name) + "@example.test";
    String password = "correct-horse-" + UUID.randomUUID();
    Api.Response response = api.post("/api/v1/signup", null,
        Api.body("email", email, "password", password, "tenantName", name));
    assertThat(response.status()).as(response.toString()).isEqualTo(201);
    return new SignedUp(response.at("/tenantId"), response.at("/userId"), email, password, response.at("/apiKey"));
  }

  /** A person who joined a tenant through an invitation they accepted, creating their account. */
  public record Joined(String userId, String email, String password) {}

  /** Invites a new address into the tenant (with {@code inviterKey}) and accepts as that person. */
  protected Joined inviteAndJoin(String tenantId, String inviterKey, String role) {
    String email = unique("invitee") + "@example.test";
    String password = "invitee-password-" + UUID.randomUUID();
    Api.Response invited = api.post("/api/v1/tenants/" + tenantId + "/invitations", inviterKey,
        Api.body("email", email, "role", role));
    assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
    Api.Response accepted = api.post("/api/v1/invitations/accept", null,
        Api.body("token", invited.at("/token"), "password", password));
    assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
    return new Joined(accepted.at("/userId"), email, password);
  }

  /**
   * One real resource of every kind a tenant owns, keyed by the path variable that names it ({@code tenantId},
   * {@code userId}, {@code keyId}, {@code agentId}, {@code provider}, {@code invitationId}, {@code runtime} (its agent's,
   * whose version it may pin)): attack suites fill routes with these, so a 404 there means the route kept the tenant's own resource from another caller. The agent
   * runs on the fake runtime; delete the tenant's agents after the test.
   */
  protected java.util.Map<String, String> oneOfEach(SignedUp t) {
    String base = "/api/v1/tenants/" + t.tenantId();
    String keyId = api.post(base + "/api-keys", t.apiKey(), Api.body("name", "extra-key")).at("/id");
    String agentId = api.post(base + "/agents", t.apiKey(), Api.body("name", "own-agent", "runtime",
        FakeRuntime.NAME)).at("/id");
    String provider = unique("own-provider");
    Api.Response created = api.put("/api/v1/providers/" + provider, MASTER_KEY, Api.body("type", "openai",
        "baseUrl", "http://127.0.0.1:9/v1", "apiKey", "sk-platform-unused-key-0001"));
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
    Api.Response byok = api.put(base + "/provider-keys/" + provider, t.apiKey(),
        Api.body("apiKey", "sk-tenant-own-key-0001"));
    assertThat(byok.status()).as(byok.toString()).isEqualTo(200);
    String invitationId = api.post(base + "/invitations", t.apiKey(), Api.body("email",
        unique("pending") + "@example.test", "role", "member")).at("/id");
    java.util.Map<String, String> ids = java.util.Map.of("tenantId", t.tenantId(),
        "userId", inviteAndJoin(t.tenantId(), t.apiKey(), "member").userId(), "keyId", keyId, "agentId", agentId,
        "provider", provider, "invitationId", invitationId, "runtime", FakeRuntime.NAME,
        "version", "0", // an agent's configuration version 0 (Reef's defaults) always exists
        "type", connectTelegram(t, agentId));
    ids.forEach((name, id) -> assertThat(id).as(name).isNotBlank());
    return ids;
  }

  /** Connects a new fake Telegram bot to the agent; answers the channel type's path name. */
  private String connectTelegram(SignedUp t, String agentId) {
    FakeTelegram.Bot bot = FakeTelegram.shared().newBot(unique("own"));
    Api.Response connected = api.put("/api/v1/tenants/" + t.tenantId() + "/agents/" + agentId
        + "/channels/telegram", t.apiKey(), Api.body("botToken", bot.token(), "dmPolicy", "open"));
    assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
    return "telegram";
  }

  /** Deletes the tenant's agents (made by {@link #oneOfEach}), with the operator's key: the tenant may be suspended. */
  protected void deleteAgents(SignedUp t) {
    String agents = "/api/v1/tenants/" + t.tenantId() + "/agents";
    for (var a : api.get(agents, MASTER_KEY).json().path("items")) {
      api.delete(agents + "/" + a.path("id").asString(), MASTER_KEY);
    }
  }

  protected static String unique(String prefix) {
    return prefix.toLowerCase().replaceAll("[^a-z0-9]", "") + "-" + COUNTER.incrementAndGet() + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }
}
