package dev.reef.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.FakeChatApps;
import dev.reef.testing.FakeTelegram;
import dev.reef.testing.FakeTelegram.Bot;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A Telegram bot connected to an agent through the API, against a fake Bot API, with the fake runtime's agent
 * doing what OpenClaw's Telegram channel does (long-polling Reef's Bot API and answering "echo: <text>"): messages
 * reach the agent in order and once, also when it sleeps or was stopped; bad tokens and bad settings are refused by
 * name; the webhook takes nothing without its secret; another tenant reaches nothing.
 */
@Tag("database-matrix")
class ChannelsIT extends ReefIT {

  private static final FakeTelegram TELEGRAM = FakeTelegram.shared();
  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final long ANN = 424242;
  private static GatewayFixture catalog;

  @Autowired
  TestClock clock;

  private SignedUp tenant;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void setUp() {
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("channels"));
    }
    tenant = signUp("Channel Owner");
    catalog.generousLimits(tenant.tenantId());
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 5,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
  }

  @AfterEach
  void cleanUp() {
    clock.reset();
    for (JsonNode agent : api.get(agents(), tenant.apiKey()).json().path("items")) {
      api.delete(agents() + "/" + agent.path("id").asString(), tenant.apiKey());
    }
  }

  @Test
  void connected_messagesReachTheAgentInOrderOnce_andItsRepliesReachTelegram() {
    String id = deploy("talker");
    String before = startedAt(id);
    Bot bot = TELEGRAM.newBot("talker");
    Response connected = api.put(channel(id), tenant.apiKey(), Map.of("botToken", bot.token(),
        "dmPolicy", "allowlist", "allowFrom", List.of(ANN, "tg:77")));
    assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
    assertThat(connected.at("/status")).isEqualTo("connected");
    assertThat(connected.at("/botName")).isEqualTo("@" + bot.username());
    assertThat(connected.at("/botId")).isEqualTo(bot.id());
    assertThat(connected.json().path("allowFrom").valueStream().map(JsonNode::asString).toList())
        .containsExactly(Long.toString(ANN), "77");
    assertThat(connected.at("/applies")).isEqualTo("restart");
    assertThat(connected.at("/agentAwake")).isEqualTo("wakes");
    // Telegram sends the bot's updates to Reef, with a secret; the token is never shown again
    assertThat(TELEGRAM.webhookUrl(bot)).isEqualTo(connected.at("/webhookUrl")).contains("/hooks/telegram/");
    assertThat(connected.toString()).doesNotContain(bot.token().substring(bot.token().indexOf(':') + 1));
    assertThat(api.get(channel(id), tenant.apiKey()).toString())
        .doesNotContain(bot.token().substring(bot.token().indexOf(':') + 1));
    awaitRestarted(id, before);

    for (int i = 1; i <= 5; i++) {
      FakeTelegram.Delivery delivery = TELEGRAM.send(bot, ANN, "message " + i);
      assertThat(delivery.status()).as(delivery.toString()).isEqualTo(200);
    }
    awaitSent(bot, 5);
    assertThat(TELEGRAM.sent(bot)).extracting(FakeTelegram.Sent::text)
        .containsExactly("echo: message 1", "echo: message 2", "echo: message 3", "echo: message 4",
            "echo: message 5");
    assertThat(TELEGRAM.sent(bot)).allMatch(s -> s.chatId().equals(Long.toString(ANN)));
    // The agent's Bot API calls never reached Telegram as getUpdates or deleteWebhook: Reef answers those
    assertThat(TELEGRAM.calls(bot)).doesNotContain("getUpdates").contains("sendMessage");

    // Telegram sends an update again (its first try looked failed to it): taken once
    FakeTelegram.Delivery again = TELEGRAM.send(bot, ANN, "once only");
    awaitSent(bot, 6);
    FakeTelegram.Delivery repeated = TELEGRAM.deliver(bot, again.updateId(), again.body(),
        TELEGRAM.webhookSecret(bot));
    assertThat(repeated.status()).isEqualTo(200);
    FakeTelegram.Delivery next = TELEGRAM.send(bot, ANN, "after the repeat");
    awaitSent(bot, 7);
    assertThat(TELEGRAM.sent(bot).stream().map(FakeTelegram.Sent::text).filter(t -> t.equals("echo: once only")))
        .hasSize(1);
    assertThat(next.status()).isEqualTo(200);

    // The bot's token is nowhere in the agent's files (its config, state, logs): it never entered the sandbox
    String secretPart = bot.token().substring(bot.token().indexOf(':') + 1);
    java.nio.file.Path agentDir = java.nio.file.Path.of("target/reef-it-data", "agents", tenant.tenantId(), id);
    try (var files = java.nio.file.Files.walk(agentDir)) {
      List<java.nio.file.Path> regular = files.filter(java.nio.file.Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().endsWith(".img")).toList();
      assertThat(regular).isNotEmpty();
      for (java.nio.file.Path file : regular) {
        assertThat(new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as(file.toString()).doesNotContain(secretPart);
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }

    JsonNode status = api.get(channel(id), tenant.apiKey()).json();
    assertThat(status.path("lastMessageAt").asString()).isNotBlank();
    assertThat(status.path("waiting").asLong()).isZero();
  }

  @Test
  void aSleepingAgentIsWokenByAMessage_andAStoppedOneGetsItWhenStarted() {
    String id = deploy("sleeper");
    String before = startedAt(id);
    Bot bot = TELEGRAM.newBot("sleeper");
    connect(id, bot);
    awaitRestarted(id, before);

    clock.advance(Duration.ofMinutes(6));
    awaitState(id, "stopped");
    assertThat(api.get(agent(id), tenant.apiKey()).json().path("idle").asBoolean()).isTrue();
    assertThat(TELEGRAM.send(bot, ANN, "are you there?").status()).isEqualTo(200);
    awaitSent(bot, 1);
    assertThat(TELEGRAM.sent(bot).getFirst().text()).isEqualTo("echo: are you there?");
    assertThat(api.get(agent(id), tenant.apiKey()).at("/state")).isEqualTo("running");

    // Stopped by a person: the message is kept (and says so), not lost, and not a reason to start the agent
    api.post(agent(id) + "/stop", tenant.apiKey(), Map.of());
    awaitState(id, "stopped");
    assertThat(TELEGRAM.send(bot, ANN, "while you were out").status()).isEqualTo(200);
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
        .until(() -> "stopped".equals(api.get(agent(id), tenant.apiKey()).at("/state")));
    assertThat(api.get(channel(id), tenant.apiKey()).json().path("waiting").asLong()).isEqualTo(1);
    api.post(agent(id) + "/start", tenant.apiKey(), Map.of());
    awaitSent(bot, 2);
    assertThat(TELEGRAM.sent(bot).get(1).text()).isEqualTo("echo: while you were out");
    await().atMost(Duration.ofSeconds(20)).until(() ->
        api.get(channel(id), tenant.apiKey()).json().path("waiting").asLong() == 0);
  }

  @Test
  void badSettingsAndTokens_areRefusedByName_andNothingIsStored() {
    String id = createStopped("picky");
    Bot bot = TELEGRAM.newBot("picky");
    refused(id, Map.of("botToken", bot.token(), "dmPolicy", "open", "webhookUrl", "http://evil"), "webhookUrl");
    refused(id, Map.of("botToken", "not-a-token", "dmPolicy", "open"), "botToken");
    Bot revoked = TELEGRAM.newBot("revoked");
    TELEGRAM.revoke(revoked);
    Response unauthorized = refused(id, Map.of("botToken", revoked.token(), "dmPolicy", "open"), "botToken");
    assertThat(unauthorized.toString()).contains("401");
    refused(id, Map.of("botToken", bot.token(), "dmPolicy", "allowlist"), "allowFrom");
    refused(id, Map.of("botToken", bot.token(), "dmPolicy", "allowlist", "allowFrom", List.of("@ann")),
        "allowFrom");
    refused(id, Map.of("botToken", bot.token(), "dmPolicy", "everyone"), "dmPolicy");
    refused(id, Map.of("dmPolicy", "open"), "botToken"); // nothing connected yet: a token is needed
    assertThat(api.put(agent(id) + "/channels/carrier-pigeon", tenant.apiKey(), Map.of("botToken", bot.token()))
        .status()).isEqualTo(404);
    assertThat(api.get(channel(id), tenant.apiKey()).at("/status")).isEqualTo("disconnected");
    assertThat(TELEGRAM.webhookUrl(bot)).isNull();

    // Connected while stopped: it applies at the next start; a change of who may write keeps the token
    Response connected = api.put(channel(id), tenant.apiKey(), Map.of("botToken", bot.token(), "dmPolicy", "open"));
    assertThat(connected.at("/applies")).isEqualTo("next-start");
    Response changed = api.put(channel(id), tenant.apiKey(), Map.of("dmPolicy", "allowlist",
        "allowFrom", List.of("12345")));
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.at("/dmPolicy")).isEqualTo("allowlist");
    assertThat(changed.at("/botId")).isEqualTo(bot.id());
    assertThat(api.get(agent(id) + "/channels", tenant.apiKey()).json().path("items").get(0).path("status")
        .asString()).isEqualTo("connected");

    // Disconnected: Telegram stops sending to Reef
    Response disconnected = api.delete(channel(id), tenant.apiKey());
    assertThat(disconnected.status()).as(disconnected.toString()).isEqualTo(200);
    assertThat(disconnected.at("/status")).isEqualTo("disconnected");
    assertThat(TELEGRAM.webhookUrl(bot)).isNull();
    assertThat(api.delete(channel(id), tenant.apiKey()).status()).isEqualTo(404);

    // each change is in the tenant's audit log, without the token
    Response audit = api.get("/api/v1/tenants/" + tenant.tenantId() + "/audit-events", tenant.apiKey());
    assertThat(audit.json().path("items").findValuesAsString("action"))
        .contains("agent.channel_connected", "agent.channel_changed", "agent.channel_disconnected");
    assertThat(audit.toString()).doesNotContain(bot.token().substring(bot.token().indexOf(':') + 1));
  }

  @Test
  void theWebhookTakesNothingWithoutItsSecret_andTheBotApiNothingWithoutTheAgentsToken() {
    String id = createStopped("guarded");
    Bot bot = TELEGRAM.newBot("guarded");
    connect(id, bot);
    String update = FakeTelegram.update(1, ANN, "impostor");
    assertThat(TELEGRAM.deliver(bot, 1, update, "wrong-secret").status()).isEqualTo(401);
    assertThat(TELEGRAM.deliver(bot, 1, update, null).status()).isEqualTo(401);
    assertThat(TELEGRAM.deliver(bot, 2, "{\"no\":\"update id\"}", TELEGRAM.webhookSecret(bot)).status())
        .isEqualTo(400);
    assertThat(TELEGRAM.deliver(bot, 3, "not json", TELEGRAM.webhookSecret(bot)).status()).isEqualTo(400);
    assertThat(api.post("/hooks/telegram/" + java.util.UUID.randomUUID(), null, Map.of("update_id", 1))
        .status()).isEqualTo(404);
    assertThat(api.post("/hooks/telegram/not-a-hook", null, Map.of("update_id", 1)).status()).isEqualTo(404);
    assertThat(api.get(channel(id), tenant.apiKey()).json().path("waiting").asLong()).isZero();

    // The Bot API Reef serves agents: the bot's id with anything but a live agent token is Telegram's 401
    for (String credential : List.of(bot.token(), bot.id() + ":reef_at_guess", bot.id() + ":" + tenant.apiKey(),
        "garbage")) {
      Response answer = api.post("/v1/telegram/bot" + credential + "/getUpdates", null, Map.of("timeout", 0));
      assertThat(answer.status()).as(credential).isEqualTo(401);
      assertThat(answer.json().path("ok").asBoolean(true)).isFalse();
    }
  }

  /**
   * Slack's Web API as Reef serves it to agents takes nothing but a live agent's stand-in token (Slack's own
   * {@code invalid_auth} otherwise), and the relay where agents take their messages nothing but an agent token.
   */
  @Test
  void theSlackRelay_takesNothingButAnAgentsToken() throws Exception {
    FakeChatApps.SlackApp app = FakeChatApps.shared().newSlackApp("guarded");
    for (String token : List.of(app.botToken(), "xoxb-reef-reef_at_guess", "xoxb-reef-" + tenant.apiKey(),
        "xapp-reef-", "garbage")) {
      java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.base() + "/v1/slack/api/auth.test"))
              .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(answer.body()).as(token).isEqualTo("{\"ok\":false,\"error\":\"invalid_auth\"}");
    }
    assertThat(FakeChatApps.shared().standInTokensSeen()).isZero();

    // where agents take their Slack messages: nothing without a live agent token
    for (String bearer : List.of("", "reef_at_guess", tenant.apiKey())) {
      java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
      java.net.http.WebSocket.Builder builder = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder();
      if (!bearer.isEmpty()) {
        builder.header("Authorization", "Bearer " + bearer);
      }
      builder.buildAsync(java.net.URI.create(api.base().replaceFirst("^http", "ws") + "/v1/slack/relay"),
          new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data,
                boolean last) {
              closed.completeExceptionally(new AssertionError("sent " + data));
              return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket socket, int code,
                String reason) {
              closed.complete(code);
              return null;
            }
          }).join();
      assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).as(bearer).isEqualTo(1008);
    }

    // the handshake exactly as Node's WebSocket (undici) sends it
    java.net.URI base = java.net.URI.create(api.base());
    try (java.net.Socket raw = new java.net.Socket(base.getHost(), base.getPort())) {
      raw.getOutputStream().write(("GET /v1/slack/relay HTTP/1.1\r\nhost: " + base.getHost()
          + ":" + base.getPort() + "\r\nconnection: upgrade\r\nupgrade: websocket\r\n"
          + "sec-websocket-key: 9OIKrZ1ag1lUmtCQ9Il3zg==\r\nsec-websocket-version: 13\r\n"
          + "sec-websocket-extensions: permessage-deflate; client_max_window_bits\r\naccept: */*\r\n"
          + "accept-language: *\r\nsec-fetch-mode: websocket\r\nuser-agent: undici\r\npragma: no-cache\r\n"
          + "cache-control: no-cache\r\naccept-encoding: gzip, deflate\r\n\r\n").getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
      String head = new String(raw.getInputStream().readNBytes(200), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(head).as(head).startsWith("HTTP/1.1 101");
    }
  }

  /**
   * Discord's relay (REST and gateway) takes nothing but an agent's stand-in: a real bot token, a guessed stand-in
   * or an API key is refused as Discord refuses a bad token (401; the gateway closes with 4004), and none of them
   * reaches Discord.
   */
  @Test
  void theDiscordRelay_takesNothingButAnAgentsToken() throws Exception {
    FakeChatApps.DiscordBot bot = FakeChatApps.shared().newDiscordBot("guarded");
    List<String> tokens = List.of(bot.token(), dev.reef.orchestration.AgentChannel.Discord.standInToken(bot.id(),
        "reef_at_guess"), dev.reef.orchestration.AgentChannel.Discord.standInToken(bot.id(), tenant.apiKey()),
        "garbage");
    for (String token : tokens) {
      java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.base() + "/v1/discord/api/v10/users/@me"))
              .header("Authorization", "Bot " + token).GET().build(), java.net.http.HttpResponse.BodyHandlers
              .ofString());
      assertThat(answer.statusCode()).as(token).isEqualTo(401);
      assertThat(answer.body()).isEqualTo("{\"message\":\"401: Unauthorized\",\"code\":0}");
    }
    assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(api.base() + "/v1/discord/api/v10/../v9/users/@me")).header("Authorization", "Bot "
        + bot.token()).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
        .isIn(400, 404);
    assertThat(FakeChatApps.shared().discordCalls(bot)).isEmpty();

    for (String token : tokens) {
      java.util.concurrent.LinkedBlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
      java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
      java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
          java.net.URI.create(api.base().replaceFirst("^http", "ws") + "/v1/discord/gateway?v=10&encoding=json"),
          new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket s, CharSequence data,
                boolean last) {
              frames.add(data.toString());
              s.request(1);
              return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket s, int code,
                String reason) {
              closed.complete(code);
              return null;
            }
          }).join();
      // Discord's HELLO comes through, as it would from Discord
      assertThat(frames.poll(10, java.util.concurrent.TimeUnit.SECONDS)).contains("\"op\":10");
      socket.sendText("{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":4096,\"properties\":{}}}", true)
          .join();
      assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).as(token).isEqualTo(4004);
    }
    assertThat(FakeChatApps.shared().discordGatewayTokens()).doesNotContainAnyElementsOf(tokens);
  }

  /**
   * Slack and Discord: their tokens are checked and sealed, never shown; each refusal names its field. Reef holds
   * Slack's connection (so a Slack message wakes the agent), the agent Discord's: a connected Discord keeps the agent
   * awake, and disconnecting lets it sleep again.
   */
  @Test
  void slackAndDiscord_keepTheirAgentAwake_whileConnected_andBadTokensAreRefusedByName() {
    FakeChatApps apps = FakeChatApps.shared();
    String id = createStopped("chatty");
    String slack = agent(id) + "/channels/slack";
    String discord = agent(id) + "/channels/discord";
    FakeChatApps.SlackApp app = apps.newSlackApp("reefy");
    FakeChatApps.DiscordBot bot = apps.newDiscordBot("reefy");

    assertRefused(slack, Map.of("botToken", app.botToken(), "dmPolicy", "open"), "appToken");
    assertRefused(slack, Map.of("botToken", "xoxb-not-one-slack-knows-0000", "appToken", app.appToken(),
        "dmPolicy", "open"), "botToken");
    assertRefused(slack, Map.of("botToken", app.botToken(), "appToken", "xapp-not-one-slack-knows-000",
        "dmPolicy", "open"), "appToken");
    assertRefused(slack, Map.of("botToken", app.botToken(), "appToken", app.appToken(), "dmPolicy", "allowlist",
        "allowFrom", List.of("424242")), "allowFrom"); // a Telegram-style number is no Slack member id
    assertRefused(discord, Map.of("botToken", "x".repeat(70), "dmPolicy", "open"), "botToken");
    assertRefused(agent(id) + "/channels/telegram", Map.of("botToken", "1:AAH" + "x".repeat(30), "appToken",
        app.appToken(), "dmPolicy", "open"), "appToken");

    Response connected = api.put(slack, tenant.apiKey(), Map.of("botToken", app.botToken(), "appToken",
        app.appToken(), "dmPolicy", "allowlist", "allowFrom", List.of("U0ANN1234")));
    assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
    assertThat(connected.at("/botName")).isEqualTo("@reefy");
    assertThat(connected.at("/agentAwake")).isEqualTo("wakes");
    assertThat(connected.at("/status")).isEqualTo("connected");
    assertThat(connected.json().path("statusReason").isNull()).isTrue();
    // Reef holds Slack's connection (the fake says so), so a message wakes the agent as Telegram's do
    await().atMost(Duration.ofSeconds(20)).until(() -> FakeChatApps.shared().slackConnected(app));
    assertThat(connected.json().path("egressHosts").valueStream().map(JsonNode::asString).toList())
        .contains("slack.com", "*.slack.com");
    assertThat(connected.toString()).doesNotContain(app.botToken()).doesNotContain(app.appToken());
    Response discordConnected = api.put(discord, tenant.apiKey(), Map.of("botToken", bot.token(), "dmPolicy",
        "allowlist", "allowFrom", List.of("123456789012345678")));
    assertThat(discordConnected.status()).as(discordConnected.toString()).isEqualTo(200);
    assertThat(discordConnected.at("/status")).isEqualTo("connected");
    assertThat(discordConnected.at("/agentAwake")).isEqualTo("kept-awake");
    assertThat(discordConnected.toString()).doesNotContain(bot.token());
    api.post(agent(id) + "/start", tenant.apiKey(), Map.of());
    awaitState(id, "running");

    // idle far past its limit: it holds the connections, so it stays up
    clock.advance(Duration.ofMinutes(6));
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
        "running".equals(api.get(agent(id), tenant.apiKey()).at("/state")));

    assertThat(api.delete(slack, tenant.apiKey()).status()).isEqualTo(200);
    assertThat(api.delete(discord, tenant.apiKey()).status()).isEqualTo(200);
    // each disconnect restarts it: let both restarts finish before its idle time starts counting
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      JsonNode events = api.get(agent(id) + "/events?limit=20", tenant.apiKey()).json().path("items");
      long starts = events.valueStream().filter(e -> e.path("state").asString().equals("running")).count();
      return "running".equals(api.get(agent(id), tenant.apiKey()).at("/state")) && starts >= 3;
    });
    clock.advance(Duration.ofMinutes(6));
    awaitState(id, "stopped");
    assertThat(api.get(agent(id), tenant.apiKey()).json().path("idle").asBoolean()).isTrue();
  }

  private void assertRefused(String path, Map<String, Object> body, String field) {
    Response response = api.put(path, tenant.apiKey(), body);
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.at("/errors/0/field")).as(response.toString()).isEqualTo(field);
  }

  @Test
  void anotherTenantsAgentChannels_areNotFound() {
    String id = createStopped("private");
    connect(id, TELEGRAM.newBot("private"));
    SignedUp stranger = signUp("Channel Stranger");
    Bot strangersBot = TELEGRAM.newBot("stranger");
    assertThat(api.get(channel(id), stranger.apiKey()).status()).isEqualTo(404);
    assertThat(api.get(agent(id) + "/channels", stranger.apiKey()).status()).isEqualTo(404);
    assertThat(api.put(channel(id), stranger.apiKey(), Map.of("botToken", strangersBot.token(), "dmPolicy", "open"))
        .status()).isEqualTo(404);
    assertThat(api.delete(channel(id), stranger.apiKey()).status()).isEqualTo(404);
    String strangersPath = "/api/v1/tenants/" + stranger.tenantId() + "/agents/" + id + "/channels/telegram";
    assertThat(api.get(strangersPath, stranger.apiKey()).status()).isEqualTo(404);
    assertThat(api.get(channel(id), tenant.apiKey()).at("/status")).isEqualTo("connected");
  }

  @Test
  void aTokenTelegramNoLongerTakes_putsTheChannelInErrorSayingWhatToDo() {
    String id = deploy("revoked");
    String before = startedAt(id);
    Bot bot = TELEGRAM.newBot("revoked");
    connect(id, bot);
    awaitRestarted(id, before);
    TELEGRAM.revoke(bot); // BotFather's /revoke: the agent's next reply is refused
    TELEGRAM.send(bot, ANN, "hello?");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        "error".equals(api.get(channel(id), tenant.apiKey()).at("/status")));
    assertThat(api.get(channel(id), tenant.apiKey()).at("/statusReason")).contains("401").contains("connect");
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void connect(String id, Bot bot) {
    Response connected = api.put(channel(id), tenant.apiKey(), Map.of("botToken", bot.token(),
        "dmPolicy", "allowlist", "allowFrom", List.of(ANN)));
    assertThat(connected.status()).as(connected.toString()).isEqualTo(200);
  }

  private Response refused(String id, Map<String, Object> body, String field) {
    Response response = api.put(channel(id), tenant.apiKey(), body);
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.at("/errors/0/field")).as(response.toString()).isEqualTo(field);
    return response;
  }

  private String agents() {
    return "/api/v1/tenants/" + tenant.tenantId() + "/agents";
  }

  private String agent(String id) {
    return agents() + "/" + id;
  }

  private String channel(String id) {
    return agent(id) + "/channels/telegram";
  }

  private String deploy(String name) {
    Response created = api.post(agents(), tenant.apiKey(), Api.body("name", name, "runtime", "fake"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    awaitState(created.at("/id"), "running");
    return created.at("/id");
  }

  private String createStopped(String name) {
    Response created = api.post(agents(), tenant.apiKey(), Api.body("name", name, "runtime", "fake",
        "start", false));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.at("/id");
  }

  /** Connecting restarts a running agent: wait until it runs again, started after {@code before}. */
  private void awaitRestarted(String id, String before) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      Response agent = api.get(agent(id), tenant.apiKey());
      return "running".equals(agent.at("/state")) && !before.equals(agent.at("/startedAt"));
    });
  }

  private String startedAt(String id) {
    return api.get(agent(id), tenant.apiKey()).at("/startedAt");
  }

  private void awaitState(String id, String state) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(api.get(agent(id), tenant.apiKey()).json().path("state").asString()).as(() ->
            api.get(agent(id), tenant.apiKey()).toString()).isEqualTo(state));
  }

  private static void awaitSent(Bot bot, int count) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        TELEGRAM.sent(bot).size() >= count);
  }
}
