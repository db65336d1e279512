package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.runtimes.internal.openclaw.OpenClawGateway;
import dev.reef.testing.FakeTelegram;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.RequiredService;
import dev.reef.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The real thing: an OpenClaw agent deployed by Reef for a tenant (installed from the npm registry on first use),
 * chatted with through Reef, its model calls answered by a mock provider behind Reef's proxy, and the usage on
 * that tenant only.
 */
class OpenClawEndToEndIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();

  @org.springframework.beans.factory.annotation.Autowired
  TestClock clock;

  @org.springframework.beans.factory.annotation.Autowired
  AgentSockets sockets;

  @org.springframework.beans.factory.annotation.Autowired
  org.springframework.jdbc.core.simple.JdbcClient jdbc;

  @org.springframework.beans.factory.annotation.Autowired
  org.springframework.transaction.support.TransactionTemplate tx;

  @org.springframework.beans.factory.annotation.Autowired
  dev.reef.secrets.SecretStore secrets;

  @BeforeAll
  static void needsNpm() {
    RequiredService.requireNpm();
  }

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void deploy_chat_usage_onlyForThatTenant() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("claw"));
    UPSTREAM.reply("Hello from the model behind Reef");
    SignedUp tenant = signUp("Claw Owner");
    SignedUp bystander = signUp("Claw Bystander");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";

    Response created = api.post(agents, tenant.apiKey(), Api.body("name", "claw", "runtime", "openclaw",
        "model", catalog.gpt));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.at("/id");
    try {
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        Response agent = api.get(agents + "/" + id, tenant.apiKey());
        assertThat(agent.at("/state")).as(agent.toString()).isNotIn("failed");
        return "running".equals(agent.at("/state"));
      });

      String reply = chat(agents + "/" + id + "/chat", tenant.apiKey(), "Say hello", "reef-it-a");
      assertThat(reply).contains("Hello from the model behind Reef");
      // A session is a thread the agent keeps (the dashboard's conversations are one each): the next message in it
      // reaches the model with the first one; a message in another session reaches it without.
      chat(agents + "/" + id + "/chat", tenant.apiKey(), "And once more", "reef-it-a");
      assertThat(modelCallWith("And once more")).contains("Say hello");
      chat(agents + "/" + id + "/chat", tenant.apiKey(), "Somewhere else", "reef-it-b");
      assertThat(modelCallWith("Somewhere else")).doesNotContain("Say hello");

      // Shaped: a persona, a tool profile and a heartbeat on another model. OpenClaw refuses a configuration key it
      // does not know (it exits at once), so running again means the rendered settings are OpenClaw's own; the
      // persona reaches the model in the agent's system prompt.
      String startedAt = api.get(agents + "/" + id, tenant.apiKey()).at("/startedAt");
      Response shaped = api.patch(agents + "/" + id + "/config", tenant.apiKey(), Map.of("persona",
          Map.of("SOUL.md", "You are Captain Reef, keeper of the harbour log."), "toolProfile", "messaging",
          "toolsDeny", List.of("group:web"), "heartbeatEvery", "6h", "heartbeatModel", catalog.gpt));
      assertThat(shaped.status()).as(shaped.toString()).isEqualTo(200);
      assertThat(shaped.at("/applies")).isEqualTo("restart");
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        Response agent = api.get(agents + "/" + id, tenant.apiKey());
        assertThat(agent.at("/state")).as(agent.toString()).isNotIn("failed");
        return "running".equals(agent.at("/state")) && !startedAt.equals(agent.at("/startedAt"));
      });
      chat(agents + "/" + id + "/chat", tenant.apiKey(), "Who are you?", "reef-it-c");
      assertThat(modelCallWith("Who are you?")).contains("Captain Reef, keeper of the harbour log");
      // OpenClaw called the model through Reef with its own agent token, never the provider's key
      assertThat(UPSTREAM.requests()).isNotEmpty();
      assertThat(UPSTREAM.lastRequest().header("authorization"))
          .isEqualTo("Bearer " + GatewayFixture.PLATFORM_OPENAI_KEY);

      await().atMost(Duration.ofSeconds(20)).until(() -> usage(tenant).path("groups").size() == 1);
      JsonNode usage = usage(tenant);
      assertThat(usage.at("/groups/0/key").asString()).isEqualTo(id);
      assertThat(usage.at("/totals/requests").asLong()).isPositive();
      assertThat(usage(bystander).at("/totals/requests").asLong()).isZero();
    } finally {
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  /**
   * Telegram with real OpenClaw: a person writes to the bot (the fake Bot API posts the update to Reef's webhook),
   * OpenClaw takes it from Reef's Bot API, asks the model through Reef, and its reply reaches the fake Bot API with
   * the bot's real token; then the agent sleeps (idle stop), and the next message wakes it and is answered too.
   */
  @Test
  void telegram_aMessageReachesTheAgent_andItsReplyTheChat_awakeAndAsleep() {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("tg"));
    SignedUp tenant = signUp("Telegram Owner");
    catalog.generousLimits(tenant.tenantId());
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 5,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String id = api.post(agents, tenant.apiKey(), Api.body("name", "tg", "runtime", "openclaw", "model",
        catalog.gpt, "start", false)).at("/id");
    FakeTelegram telegram = FakeTelegram.shared();
    FakeTelegram.Bot bot = telegram.newBot("claw");
    long person = 5550001;
    try {
      Response connected = api.put(agents + "/" + id + "/channels/telegram", tenant.apiKey(), Map.of("botToken",
          bot.token(), "dmPolicy", "allowlist", "allowFrom", List.of(person)));
      assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
      api.post(agents + "/" + id + "/start", tenant.apiKey(), Map.of());
      awaitState(agents + "/" + id, tenant.apiKey(), "running", Duration.ofMinutes(5));

      UPSTREAM.reply("Ahoy from the harbour, via Telegram");
      assertThat(telegram.send(bot, person, "Hello from Telegram").status()).isEqualTo(200);
      awaitReply(telegram, bot, "Ahoy from the harbour, via Telegram");
      assertThat(modelCallWith("Hello from Telegram")).isNotNull();
      assertThat(telegram.calls(bot)).doesNotContain("getUpdates", "deleteWebhook");

      clock.advance(Duration.ofMinutes(6));
      awaitState(agents + "/" + id, tenant.apiKey(), "stopped", Duration.ofMinutes(1));
      UPSTREAM.reply("Awake again and answering");
      assertThat(telegram.send(bot, person, "Wake up, please").status()).isEqualTo(200);
      awaitReply(telegram, bot, "Awake again and answering");
      assertThat(api.get(agents + "/" + id, tenant.apiKey()).at("/state")).isEqualTo("running");
    } finally {
      clock.reset();
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  /**
   * A job the agent's owner scheduled in OpenClaw, due in two and a half minutes: the agent goes to sleep (idle limit
   * one minute) before it, Reef wakes it ahead of the job (it asked the agent for its schedule as it went to sleep),
   * the job runs on time, and its output reaches the owner on Telegram.
   */
  @Test
  void cron_aJobDueWhileTheAgentSleeps_runsOnTime_andItsOutputIsDelivered() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("cron"));
    SignedUp tenant = signUp("Cron Owner");
    catalog.generousLimits(tenant.tenantId());
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 1,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String id = api.post(agents, tenant.apiKey(), Api.body("name", "cron", "runtime", "openclaw", "model",
        catalog.gpt, "start", false)).at("/id");
    FakeTelegram telegram = FakeTelegram.shared();
    FakeTelegram.Bot bot = telegram.newBot("cron");
    long owner = 5550002;
    try {
      assertThat(api.put(agents + "/" + id + "/channels/telegram", tenant.apiKey(), Map.of("botToken",
          bot.token(), "dmPolicy", "allowlist", "allowFrom", List.of(owner))).status()).isEqualTo(200);
      api.post(agents + "/" + id + "/start", tenant.apiKey(), Map.of());
      awaitState(agents + "/" + id, tenant.apiKey(), "running", Duration.ofMinutes(5));

      java.time.Instant due = java.time.Instant.now().plusSeconds(150);
      UPSTREAM.reply("Harbour report: all calm, three boats in");
      OpenClawGateway.addJob(sockets, placement(id), gatewayToken(tenant.tenantId(), id), Map.of(
          "name", "harbour report", "schedule", Map.of("kind", "at", "at", due.toString()),
          "sessionTarget", "isolated", "payload", Map.of("kind", "agentTurn", "message", "Write the harbour report"),
          "delivery", Map.of("mode", "announce", "channel", "telegram", "to", Long.toString(owner))));
      JsonNode schedule = api.get(agents + "/" + id + "/schedule", tenant.apiKey()).json();
      assertThat(schedule.path("runs").valueStream().map(r -> r.path("name").asString() + "/"
          + r.path("kind").asString())).contains("harbour report/job").anyMatch(r -> r.endsWith("/system"));
      assertThat(java.time.Instant.parse(schedule.path("nextWakeAt").asString()).toEpochMilli())
          .isEqualTo(due.toEpochMilli());

      // idle for its minute: asleep, the job still ahead
      awaitState(agents + "/" + id, tenant.apiKey(), "stopped", Duration.ofMinutes(2));
      assertThat(api.get(agents + "/" + id, tenant.apiKey()).json().path("idle").asBoolean()).isTrue();
      assertThat(java.time.Instant.now()).isBefore(due);

      // woken ahead of it by Reef; the job runs and its report reaches Telegram
      awaitReply(telegram, bot, "Harbour report: all calm, three boats in");
      assertThat(telegram.sentAndEdited(bot)).anyMatch(s -> s.chatId().equals(Long.toString(owner)));
      assertThat(modelCallWith("Write the harbour report")).isNotNull();
    } finally {
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  /**
   * Slack with real OpenClaw, Reef as the ingress: Reef holds the app's Socket Mode connection (to the fake Slack),
   * keeps a person's direct message and acknowledges it, and the agent takes it from Reef (OpenClaw's Slack relay
   * mode); the model's answer goes back through Reef's copy of Slack's Web API, which swaps the agent's stand-in
   * token for the real one. Then the agent sleeps (idle stop), and the next message wakes it and is answered too.
   * The real tokens are nowhere in the agent's environment.
   */
  @Test
  void slack_aMessageReachesTheAgent_andItsReplySlack_awakeAndAsleep_withoutTheRealTokens() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("slk"));
    SignedUp tenant = signUp("Slack Owner");
    catalog.generousLimits(tenant.tenantId());
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 5,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String id = api.post(agents, tenant.apiKey(), Api.body("name", "slack", "runtime", "openclaw", "model",
        catalog.gpt, "start", false)).at("/id");
    dev.reef.testing.FakeChatApps apps = dev.reef.testing.FakeChatApps.shared();
    dev.reef.testing.FakeChatApps.SlackApp app = apps.newSlackApp("lighthouse");
    try {
      Response connected = api.put(agents + "/" + id + "/channels/slack", tenant.apiKey(), Map.of("botToken",
          app.botToken(), "appToken", app.appToken(), "dmPolicy", "open"));
      assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
      assertThat(connected.at("/agentAwake")).isEqualTo("wakes");
      await().atMost(Duration.ofSeconds(30)).until(() -> apps.slackConnected(app)); // Reef holds it
      api.post(agents + "/" + id + "/start", tenant.apiKey(), Map.of());
      awaitState(agents + "/" + id, tenant.apiKey(), "running", Duration.ofMinutes(5));

      UPSTREAM.reply("Ahoy from the lighthouse, via Slack");
      String envelope = apps.sendSlackDm(app, "U0PERSON", "Hello from Slack");
      await().atMost(Duration.ofSeconds(30)).until(() -> apps.slackAcknowledged(envelope));
      awaitSlackReply(apps, app, "Ahoy from the lighthouse, via Slack");
      assertThat(modelCallWith("Hello from Slack")).isNotNull();

      assertThat(apps.standInTokensSeen()).as("Reef swapped every stand-in token").isZero();
      String pid = placement(id).attributes().get("pid");
      String environment = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "environ"),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(environment).contains("SLACK_API_URL=").contains("xoxb-reef-").doesNotContain(app.botToken())
          .doesNotContain(app.appToken());

      clock.advance(Duration.ofMinutes(6));
      awaitState(agents + "/" + id, tenant.apiKey(), "stopped", Duration.ofMinutes(1));
      UPSTREAM.reply("Awake again, via Slack");
      String second = apps.sendSlackDm(app, "U0PERSON", "Wake up, please, from Slack");
      await().atMost(Duration.ofSeconds(30)).until(() -> apps.slackAcknowledged(second)); // kept while asleep
      awaitSlackReply(apps, app, "Awake again, via Slack");
      assertThat(api.get(agents + "/" + id, tenant.apiKey()).at("/state")).isEqualTo("running");
    } finally {
      clock.reset();
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  private static void awaitSlackReply(dev.reef.testing.FakeChatApps apps, dev.reef.testing.FakeChatApps.SlackApp app,
      String text) {
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(apps.slackCalls(app)).extracting(dev.reef.testing.FakeChatApps.SlackCall::parameters)
            .anyMatch(p -> p.contains(text)));
  }

  /**
   * Discord with real OpenClaw: its plugin (a package of its own, installed by Reef and shown to the sandboxed agent
   * where OpenClaw trusts it) holds the bot's gateway session through Reef's relay, with a stand-in token that Reef
   * swaps for the real one in IDENTIFY and on every REST call; a person's direct message reaches the agent and its
   * answer comes back through Discord's REST API. The agent is kept awake: the session is its to hold.
   */
  @Test
  void discord_aMessageReachesTheAgent_andItsReplyDiscord_throughReef_withoutTheRealToken() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("dsc"));
    SignedUp tenant = signUp("Discord Owner");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String id = api.post(agents, tenant.apiKey(), Api.body("name", "discord", "runtime", "openclaw", "model",
        catalog.gpt, "start", false)).at("/id");
    dev.reef.testing.FakeChatApps apps = dev.reef.testing.FakeChatApps.shared();
    dev.reef.testing.FakeChatApps.DiscordBot bot = apps.newDiscordBot("harbour");
    String person = "4242424242424242";
    try {
      Response connected = api.put(agents + "/" + id + "/channels/discord", tenant.apiKey(), Map.of("botToken",
          bot.token(), "dmPolicy", "allowlist", "allowFrom", List.of(person)));
      assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
      assertThat(connected.at("/agentAwake")).isEqualTo("kept-awake");
      api.post(agents + "/" + id + "/start", tenant.apiKey(), Map.of());
      awaitState(agents + "/" + id, tenant.apiKey(), "running", Duration.ofMinutes(5));
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
          apps.discordIdentified(bot));

      UPSTREAM.reply("Ahoy from the harbour, via Discord");
      apps.sendDiscordDm(bot, person, "Hello from Discord");
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(apps.discordCalls(bot)).as(apps.discordCalls(bot).toString())
              .anyMatch(call -> call.method().equals("POST") && call.path().endsWith("/messages")
                  && call.body().contains("Ahoy from the harbour, via Discord")));
      assertThat(modelCallWith("Hello from Discord")).isNotNull();

      assertThat(apps.standInTokensSeen()).as("Reef swapped every stand-in token").isZero();
      assertThat(apps.discordGatewayTokens()).isNotEmpty().allMatch(bot.token()::equals);
      String pid = placement(id).attributes().get("pid");
      String environment = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "environ"),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(environment).contains("DISCORD_API_URL=").contains(".reef.").doesNotContain(bot.token());
      await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(api.get(agents + "/" + id
          + "/channels/discord", tenant.apiKey()).at("/lastMessageAt")).isNotBlank());
    } finally {
      api.delete(agents + "/" + id, tenant.apiKey());
    }
  }

  private Placement placement(String id) {
    String text = dev.reef.common.DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql(
        "select placement from agents where id = :id").param("id", java.util.UUID.fromString(id))
        .query(String.class).single()));
    return tools.jackson.databind.json.JsonMapper.builder().build().readValue(text, Placement.class);
  }

  private String gatewayToken(String tenantId, String id) {
    dev.reef.common.TenantId tenant = dev.reef.common.TenantId.parse(tenantId);
    java.util.UUID ref = dev.reef.common.DataScope.callAs(tenant, () -> tx.execute(s -> jdbc.sql(
        "select gateway_token from agents where id = :id").param("id", java.util.UUID.fromString(id))
        .query(java.util.UUID.class).single()));
    return dev.reef.common.DataScope.callAs(tenant, () -> tx.execute(s ->
        secrets.reveal(new dev.reef.secrets.SecretRef(ref))));
  }

  private static void awaitReply(FakeTelegram telegram, FakeTelegram.Bot bot, String text) {
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(telegram.sentAndEdited(bot)).extracting(FakeTelegram.Sent::text).anyMatch(t -> t.contains(text)));
  }

  private void awaitState(String agent, String key, String state, Duration within) {
    await().atMost(within).pollInterval(Duration.ofSeconds(1)).until(() -> {
      Response now = api.get(agent, key);
      assertThat(now.at("/state")).as(now.toString()).isNotIn("failed");
      return state.equals(now.at("/state"));
    });
  }

  private JsonNode usage(SignedUp t) {
    return api.get("/api/v1/tenants/" + t.tenantId() + "/usage?groupBy=agent", t.apiKey()).json();
  }

  /** The last request the model got with this text in it, as JSON text. */
  private static String modelCallWith(String text) {
    return UPSTREAM.requests().reversed().stream().map(r -> r.body().toString()).filter(b -> b.contains(text))
        .findFirst().orElseThrow(() -> new AssertionError("no model call with '" + text + "'"));
  }

  private String chat(String path, String key, String message, String session) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofMinutes(3))
        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(Map.of("message", message,
            "session", session))))
        .build();
    HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request,
        HttpResponse.BodyHandlers.ofLines());
    StringBuilder text = new StringBuilder();
    String event = "";
    for (String line : response.body().toList()) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:") && event.equals("delta")) {
        text.append(Api.JSON.readTree(line.substring(5).trim()).path("text").asString());
      } else if (line.startsWith("data:") && event.equals("error")) {
        throw new AssertionError("chat failed: " + line);
      }
    }
    return text.toString();
  }
}
