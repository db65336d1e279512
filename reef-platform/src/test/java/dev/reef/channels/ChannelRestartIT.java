package dev.reef.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.FakeChatApps;
import dev.reef.testing.FakeTelegram;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.LeftoverAgents;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.StandaloneReef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Telegram update Reef accepted is delivered even when Reef stops between accepting it and the agent taking it:
 * the update was committed before the webhook's 200, and the Reef that comes back wakes the sleeping agent for it.
 */
@Tag("database-matrix")
class ChannelRestartIT {

  @TempDir
  Path dataDir;

  @Test
  void anUpdateAcceptedBeforeAReefRestart_reachesTheAgentAfterIt() throws Exception {
    FakeTelegram telegram = FakeTelegram.shared();
    Map<String, Object> properties = Map.of("reef.agents.reconcile-interval", "500ms",
        "reef.channels.telegram-api-root", telegram.apiRoot(), "reef.channels.sweep-interval", "1s",
        "reef.channels.wake-after", "1s", "reef.channels.slack-api-root", FakeChatApps.shared().slackRoot(),
        "reef.channels.discord-api-root", FakeChatApps.shared().discordRoot(),
        "reef.channels.discord-gateway-url", FakeChatApps.shared().discordGatewayUrl());
    try (MockUpstream upstream = new MockUpstream(); StandaloneReef reef = new StandaloneReef(dataDir)) {
      reef.start(properties);
      Api api = reef.api();
      GatewayFixture catalog = new GatewayFixture(api, upstream, "restart");
      Response signup = api.post("/api/v1/signup", null, Api.body("email", "restart@example.test",
          "password", "restart-password-1", "tenantName", "Restart"));
      String tenant = signup.at("/tenantId");
      String key = signup.at("/apiKey");
      catalog.generousLimits(tenant);
      api.put("/api/v1/tenants/" + tenant + "/limits", dev.reef.testing.ReefApplicationIT.MASTER_KEY,
          Map.of("idleStopMinutes", 1, "requestsPerMinute", 100000, "maxConcurrentRequests", 1000,
              "monthlyBudgetUsd", 1000));
      String agents = "/api/v1/tenants/" + tenant + "/agents";
      String id = api.post(agents, key, Api.body("name", "durable", "runtime", "fake", "model", catalog.gpt,
          "start", false)).at("/id");
      FakeTelegram.Bot bot = telegram.newBot("durable");
      Response connected = api.put(agents + "/" + id + "/channels/telegram", key, Map.of("botToken", bot.token(),
          "dmPolicy", "allowlist", "allowFrom", List.of(4242)));
      assertThat(connected.status()).as(connected.toString()).isEqualTo(200);

      // the agent is stopped by a person: Reef takes the update in and keeps it; then Reef stops
      assertThat(telegram.send(bot, 4242, "kept across a restart").status()).isEqualTo(200);
      reef.stop();

      // a new Reef process (Telegram's webhook URL does not change): the agent is started, and takes the update
      reef.start(properties);
      Api again = reef.api();
      assertThat(again.get(agents + "/" + id + "/channels/telegram", key).json().path("waiting").asLong())
          .isEqualTo(1);
      again.post(agents + "/" + id + "/start", key, Map.of());
      await().atMost(Duration.ofSeconds(60)).until(() -> !telegram.sent(bot).isEmpty());
      assertThat(telegram.sent(bot)).extracting(FakeTelegram.Sent::text).containsExactly("echo: kept across a restart");
      await().atMost(Duration.ofSeconds(20)).until(() ->
          again.get(agents + "/" + id + "/channels/telegram", key).json().path("waiting").asLong() == 0);
      again.delete(agents + "/" + id, key);
    } finally {
      LeftoverAgents.kill(dataDir);
    }
  }
}
