package dev.reef.runtimes.internal.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.TenantId;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.RuntimeContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The launch of one agent: its rendered openclaw.json, its command and its environment. */
class OpenClawRuntimeTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String AGENT_TOKEN = "reef_at_agent-secret-1f3e";
  private static final String GATEWAY_TOKEN = "gateway-secret-9a8b";
  private static final Path HOME = Path.of("/cache/openclaw/2026.9.6");

  private final OpenClawRuntime runtime = new OpenClawRuntime(
      new InstallCache("openclaw", Path.of("/cache/openclaw"), null, Clock.systemUTC()), "2026.9.6");
  private final Installation installation = new Installation("openclaw", "2026.9.6", HOME);

  static Placement placement(String host, int port, String proxyBaseUrl) {
    return new Placement("process", TenantId.random(), UUID.randomUUID(), host, port, "http://" + host + ":" + port,
        Map.of("state", "/agents/a1/state", "workspace", "/agents/a1/workspace", "home", "/agents/a1/home",
            "tmp", "/agents/a1/tmp"),
        proxyBaseUrl, null, Map.of());
  }

  private static RuntimeContext context(long memoryMb) {
    return new RuntimeContext(placement("127.4.5.6", 18001, "http://127.0.0.1:8080/v1"), AGENT_TOKEN, GATEWAY_TOKEN,
        "gpt-5-mini", memoryMb);
  }

  private JsonNode config(Launch launch) {
    return JSON.readTree(new String(launch.files().get("openclaw.json"), StandardCharsets.UTF_8));
  }

  /** A sandboxed agent: its own loopback, Reef's egress proxy for everything else, its install read-only. */
  @Test
  void launch_inASandbox_bindsLoopback_sendsEverythingElseThroughTheEgressProxy_andNeedsOnlyItsInstall() {
    Placement sandboxed = new Placement("process", TenantId.random(), UUID.randomUUID(), "127.0.0.1", 18799,
        "unix:/run/reef/x/gateway.sock", Map.of("state", "/agent/state", "workspace", "/agent/workspace",
            "home", "/agent/home", "tmp", "/tmp"), "http://127.0.0.1:18080/v1", "http://127.0.0.1:18128",
        Map.of());
    Launch launch = runtime.launch(installation, new RuntimeContext(sandboxed, AGENT_TOKEN, GATEWAY_TOKEN,
        "gpt-5-mini", 1536));

    JsonNode config = config(launch);
    assertThat(config.at("/gateway/bind").asString()).isEqualTo("loopback");
    assertThat(config.has("customBindHost")).isFalse();
    // the egress door is in the environment; not OpenClaw's own proxy routing, with which every stop is a crash to it
    assertThat(config.has("proxy")).isFalse();
    assertThat(launch.environment()).containsEntry("HTTPS_PROXY", "http://127.0.0.1:18128")
        .containsEntry("NODE_USE_ENV_PROXY", "1").doesNotContainKey("OPENCLAW_PROXY_URL");
    assertThat(launch.readOnlyPaths()).containsExactly(HOME);
    // OpenClaw's bundled "reef" channel configures itself from ambient REEF_* variables
    assertThat(launch.environment().keySet()).noneMatch(name -> name.startsWith("REEF_"));
  }

  /**
   * Telegram: the agent talks to Reef's Bot API below its proxy URL, with its bot id and agent token from the
   * environment; no Telegram token, no webhook, and who may write as the tenant said.
   */
  @Test
  void launch_withTelegram_pointsItsBotApiAtReef_andTakesItsCredentialFromTheEnvironment() {
    RuntimeContext base = context(1536);
    Launch launch = runtime.launch(installation, new RuntimeContext(base.placement(), AGENT_TOKEN, GATEWAY_TOKEN,
        "gpt-5-mini", 1536, null, java.util.List.of(new dev.reef.orchestration.AgentChannel.Telegram("123456",
            "allowlist", java.util.List.of("42", "43")))));
    JsonNode telegram = config(launch).at("/channels/telegram");
    assertThat(telegram.path("apiRoot").asString()).isEqualTo("http://127.0.0.1:8080/v1/telegram");
    assertThat(telegram.at("/botToken/source").asString()).isEqualTo("env");
    assertThat(launch.environment().get(telegram.at("/botToken/id").asString())).isEqualTo("123456:" + AGENT_TOKEN);
    assertThat(telegram.path("dmPolicy").asString()).isEqualTo("allowlist");
    assertThat(telegram.path("allowFrom").valueStream().map(JsonNode::asString).toList()).containsExactly("42", "43");
    assertThat(telegram.has("webhookUrl")).isFalse();
    assertThat(new String(launch.files().get("openclaw.json"), StandardCharsets.UTF_8)).doesNotContain(AGENT_TOKEN);
    // OpenClaw reads TELEGRAM_BOT_TOKEN by itself: Reef's variable is another
    assertThat(launch.environment()).doesNotContainKey("TELEGRAM_BOT_TOKEN");

    Launch open = runtime.launch(installation, new RuntimeContext(base.placement(), AGENT_TOKEN, GATEWAY_TOKEN,
        "gpt-5-mini", 1536, null, java.util.List.of(new dev.reef.orchestration.AgentChannel.Telegram("123456",
            "open", java.util.List.of()))));
    assertThat(config(open).at("/channels/telegram/allowFrom").valueStream().map(JsonNode::asString).toList())
        .containsExactly("*");
    assertThat(config(runtime.launch(installation, base)).has("channels")).isFalse();
  }

  /** Slack and Discord: what they authenticate with is in the environment only, referred to from the config. */
  @Test
  void launch_withSlackAndDiscord_referToTheirTokensInTheEnvironment() {
    RuntimeContext base = context(1536);
    Launch launch = runtime.launch(installation, new RuntimeContext(base.placement(), AGENT_TOKEN, GATEWAY_TOKEN,
        "gpt-5-mini", 1536, null, java.util.List.of(
            new dev.reef.orchestration.AgentChannel.Slack("allowlist", java.util.List.of("U0ANN1234")),
            new dev.reef.orchestration.AgentChannel.Discord("1234567890123456789", "open", java.util.List.of()))));
    JsonNode config = config(launch);
    // Slack: stand-ins made of the agent token, for Reef's copy of Slack's Web API (Reef holds the real tokens)
    assertThat(launch.environment().get(config.at("/channels/slack/botToken/id").asString()))
        .isEqualTo("xoxb-reef-" + AGENT_TOKEN);
    // relay mode: Reef holds Slack's connection, the agent takes its messages at Reef with its agent token
    assertThat(config.at("/channels/slack/mode").asString()).isEqualTo("relay");
    assertThat(config.at("/channels/slack/appToken").isMissingNode()).isTrue();
    assertThat(config.at("/channels/slack/relay/url").asString()).isEqualTo(base.placement().proxyBaseUrl()
        .replaceFirst("^http", "ws") + "/slack/relay");
    assertThat(config.at("/channels/slack/relay/gatewayId").asString()).isEqualTo(base.placement().agentId()
        .toString());
    assertThat(launch.environment().get(config.at("/channels/slack/relay/authToken/id").asString()))
        .isEqualTo(AGENT_TOKEN);
    assertThat(launch.environment().get("SLACK_API_URL")).isEqualTo(base.placement().proxyBaseUrl()
        + "/slack/api/");
    // Discord: a stand-in shaped as Discord's tokens (the application id OpenClaw reads from it first), for Reef's
    // Discord relay, which is where the plugin's REST calls and gateway connection go
    String discordToken = launch.environment().get(config.at("/channels/discord/token/id").asString());
    assertThat(discordToken).isEqualTo("MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.reef." + AGENT_TOKEN);
    assertThat(new String(java.util.Base64.getDecoder().decode(discordToken.substring(0, discordToken.indexOf('.')))))
        .isEqualTo("1234567890123456789");
    assertThat(dev.reef.orchestration.AgentChannel.Discord.agentTokenOf(discordToken)).isEqualTo(AGENT_TOKEN);
    assertThat(launch.environment().get("DISCORD_API_URL")).isEqualTo(base.placement().proxyBaseUrl()
        + "/discord/api/v10");
    assertThat(config.at("/channels/slack/allowFrom/0").asString()).isEqualTo("U0ANN1234");
    assertThat(config.at("/channels/discord/allowFrom/0").asString()).isEqualTo("*");
    // the people on an allowlist own the agent in OpenClaw's sense (owner-only tools such as automations); the
    // anyone of an open channel does not
    assertThat(config.at("/commands/ownerAllowFrom").valueStream().map(JsonNode::asString).toList())
        .containsExactly("slack:U0ANN1234");
    // OpenClaw loads a channel's own plugin only once it is enabled; Telegram is built in
    assertThat(config.at("/plugins/entries/slack/enabled").asBoolean()).isTrue();
    assertThat(config.at("/plugins/entries/discord/enabled").asBoolean()).isTrue();
    assertThat(config.at("/plugins/entries/telegram").isMissingNode()).isTrue();
    String file = new String(launch.files().get("openclaw.json"), StandardCharsets.UTF_8);
    assertThat(file).doesNotContain("secret");
    assertThat(launch.environment().keySet()).doesNotContain("SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN");
    assertThat(launch.toString()).doesNotContain("secret");
  }

  /** cron.list as the gateway answers it: people's jobs and the heartbeat wake the agent, OpenClaw's upkeep not. */
  @Test
  void upcomingRuns_sortsEnabledJobs_andTellsPeoplesJobsFromUpkeep() {
    JsonNode jobs = JSON.readTree("""
        [{"name":"Memory Dreaming Promotion","declarationKey":"memory-core:memory-dreaming-promotion","enabled":true,
          "nextRunAtMs":1796698800000},
         {"name":"harbour report","enabled":true,"nextRunAtMs":1796671090393},
         {"name":"heartbeat-main","displayName":"Heartbeat (main)","declarationKey":"heartbeat:main","enabled":true,
          "nextRunAtMs":1796672000000},
         {"name":"paused","enabled":false,"nextRunAtMs":1796671000000},
         {"name":"done","enabled":true,"nextRunAtMs":null}]""");
    assertThat(OpenClawRuntime.runs(jobs)).extracting(r -> r.name() + "/" + r.kind() + "/" + r.wakesAgent())
        .containsExactly("harbour report/JOB/true", "Heartbeat (main)/HEARTBEAT/true",
            "Memory Dreaming Promotion/SYSTEM/false");
  }

  /** RFC 6455's own example of the handshake's accept value. */
  @Test
  void gatewayRpc_acceptsTheHandshakeAsTheRfcComputesIt() {
    assertThat(GatewayRpc.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  /** A pod: its egress proxy wants its agent token, which may go in its environment but never in its config. */
  @Test
  void launch_inAPod_namesTheEgressProxyWithItsToken_inTheEnvironmentOnly() {
    Placement pod = new Placement("kubernetes", TenantId.random(), UUID.randomUUID(), "0.0.0.0", 18799,
        "http://agent.ns.svc:18799", Map.of("state", "/reef/agent/state", "workspace", "/reef/agent/workspace",
            "home", "/reef/agent/home", "tmp", "/tmp"), "http://reef.reef.svc:8080/v1", "http://reef-egress:3128",
        Map.of(Placement.EGRESS_AUTH, Placement.EGRESS_AUTH_AGENT_TOKEN));
    Launch launch = runtime.launch(installation, new RuntimeContext(pod, AGENT_TOKEN, GATEWAY_TOKEN, "gpt-5-mini",
        1536));

    String withToken = "http://agent:" + AGENT_TOKEN + "@reef-egress:3128";
    assertThat(launch.environment()).containsEntry("HTTPS_PROXY", withToken).containsEntry("NODE_USE_ENV_PROXY", "1")
        .doesNotContainKey("OPENCLAW_PROXY_URL");
    assertThat(config(launch).has("proxy")).isFalse();
    assertThat(new String(launch.files().get("openclaw.json"), StandardCharsets.UTF_8)).doesNotContain(AGENT_TOKEN);
  }

  @Test
  void launch_unsandboxed_hasNoEgressProxy() {
    assertThat(config(runtime.launch(installation, context(1536))).has("proxy")).isFalse();
  }

  @Test
  void launch_rendersGatewayOnTheAgentsOwnAddressWithTokenAuthAndChatEndpoint() {
    JsonNode gateway = config(runtime.launch(installation, context(1536))).path("gateway");
    assertThat(gateway.path("mode").asString()).isEqualTo("local");
    assertThat(gateway.path("bind").asString()).isEqualTo("custom");
    assertThat(gateway.path("customBindHost").asString()).isEqualTo("127.4.5.6");
    assertThat(gateway.path("port").asInt()).isEqualTo(18001);
    assertThat(gateway.at("/auth/mode").asString()).isEqualTo("token");
    assertThat(gateway.at("/auth/token")).isEqualTo(JSON.readTree(
        "{\"source\":\"env\",\"provider\":\"default\",\"id\":\"GATEWAY_AUTH_TOKEN\"}"));
    assertThat(gateway.at("/http/endpoints/chatCompletions/enabled").asBoolean()).isTrue();
  }

  @Test
  void launch_rendersReefsProxyAsTheOnlyModelProvider() {
    JsonNode config = config(runtime.launch(installation, context(1536)));
    JsonNode models = config.path("models");
    assertThat(models.path("mode").asString()).isEqualTo("replace");
    assertThat(models.at("/catalogRefresh/enabled").asBoolean(true)).isFalse();
    assertThat(models.path("providers").propertyNames()).containsExactly("reef");
    JsonNode reef = models.at("/providers/reef");
    assertThat(reef.path("baseUrl").asString()).isEqualTo("http://127.0.0.1:8080/v1");
    assertThat(reef.path("apiKey")).isEqualTo(JSON.readTree(
        "{\"source\":\"env\",\"provider\":\"default\",\"id\":\"LLM_PROXY_TOKEN\"}"));
    assertThat(reef.path("api").asString()).isEqualTo("openai-completions");
    assertThat(reef.path("models")).hasSize(1);
    JsonNode model = reef.path("models").get(0);
    // name, contextWindow and maxTokens are required: without them OpenClaw refuses the config and exits
    assertThat(model.path("id").asString()).isEqualTo("gpt-5-mini");
    assertThat(model.path("name").asString()).isEqualTo("gpt-5-mini");
    assertThat(model.path("contextWindow").asInt()).isEqualTo(128_000);
    assertThat(model.path("maxTokens").asInt()).isEqualTo(4_096);
    assertThat(config.at("/agents/defaults/model/primary").asString()).isEqualTo("reef/gpt-5-mini");
    assertThat(config.at("/memory/search/provider").asString()).as("embeddings through Reef").isEqualTo("reef");
  }

  @Test
  void launch_rendersNoBootstrapNoHeartbeatAndNothingThatPhonesHome() {
    JsonNode config = config(runtime.launch(installation, context(1536)));
    assertThat(config.at("/agents/defaults/skipBootstrap").asBoolean()).isTrue();
    assertThat(config.at("/agents/defaults/heartbeat/every").asString()).isEqualTo("0m");
    assertThat(config.at("/update/checkOnStart").asBoolean(true)).isFalse();
    assertThat(config.at("/update/auto/enabled").asBoolean(true)).isFalse();
    assertThat(config.at("/telemetry/enabled").asBoolean(true)).isFalse();
    assertThat(config.at("/discovery/mdns/mode").asString()).isEqualTo("off");
    assertThat(config.at("/logging/file").asString()).isEqualTo("/agents/a1/state/logs/openclaw.log");
    assertThat(config.propertyNames()).containsExactlyInAnyOrder("gateway", "models", "agents", "memory", "update",
        "telemetry", "discovery", "logging");
  }

  /**
   * Each token is in exactly one environment variable, which the config refers to, and nowhere in the config file
   * or in what a driver might log or show.
   */
  @Test
  void launch_putsTokensOnlyWhereTheyBelong() {
    Launch launch = runtime.launch(installation, context(1536));
    assertThat(launch.environment()).containsEntry("LLM_PROXY_TOKEN", AGENT_TOKEN)
        .containsEntry("GATEWAY_AUTH_TOKEN", GATEWAY_TOKEN);
    assertThat(launch.environment().values().stream().filter(v -> v.contains(AGENT_TOKEN) || v.contains(
        GATEWAY_TOKEN))).hasSize(2);
    String config = new String(launch.files().get("openclaw.json"), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(config).doesNotContain(AGENT_TOKEN).doesNotContain(GATEWAY_TOKEN);
    String visible = launch.command() + " " + launch;
    assertThat(visible).doesNotContain(AGENT_TOKEN).doesNotContain(GATEWAY_TOKEN).contains("LLM_PROXY_TOKEN");
    assertThat(context(1536).toString()).doesNotContain(AGENT_TOKEN).doesNotContain(GATEWAY_TOKEN);
  }

  /** New tokens, same file: OpenClaw starts about 3 s faster when its config has not changed since its last start. */
  @Test
  void launch_theConfigFileIsTheSameForEveryStart_newTokensOnlyInTheEnvironment() {
    Launch first = runtime.launch(installation, context(1536));
    Launch second = runtime.launch(installation, new RuntimeContext(context(1536).placement(), "reef_at_other",
        "gw_other", context(1536).model(), 1536));
    assertThat(second.files().get("openclaw.json")).isEqualTo(first.files().get("openclaw.json"));
    assertThat(second.environment().get("LLM_PROXY_TOKEN")).isEqualTo("reef_at_other")
        .isNotEqualTo(first.environment().get("LLM_PROXY_TOKEN"));
  }

  @Test
  void launch_runsTheCachedNodeWithItsOwnDirectoriesAndNothingElse() {
    Launch launch = runtime.launch(installation, context(1536));
    assertThat(launch.command()).containsExactly("/cache/openclaw/2026.9.6/node_modules/node/bin/node",
        "/cache/openclaw/2026.9.6/node_modules/openclaw/openclaw.mjs", "gateway", "run");
    assertThat(launch.environment()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry("PATH", "/cache/openclaw/2026.9.6/node_modules/node/bin:/usr/local/bin:/usr/bin:/bin"),
        Map.entry("HOME", "/agents/a1/home"),
        Map.entry("TMPDIR", "/agents/a1/tmp"),
        Map.entry("OPENCLAW_STATE_DIR", "/agents/a1/state"),
        Map.entry("OPENCLAW_CONFIG_PATH", "/agents/a1/state/openclaw.json"),
        Map.entry("OPENCLAW_WORKSPACE_DIR", "/agents/a1/workspace"),
        Map.entry("OPENCLAW_NO_AUTO_UPDATE", "1"),
        Map.entry("OPENCLAW_DISABLE_BONJOUR", "1"),
        Map.entry("OPENCLAW_NO_RESPAWN", "1"),
        Map.entry("DO_NOT_TRACK", "1"),
        Map.entry("NODE_OPTIONS", "--max-old-space-size=1075"),
        Map.entry("LLM_PROXY_TOKEN", AGENT_TOKEN),
        Map.entry("GATEWAY_AUTH_TOKEN", GATEWAY_TOKEN)));
    assertThat(launch.files()).containsOnlyKeys("openclaw.json");
  }

  @Test
  void heapLimit_isSeventyPercentOfTheMemoryLimitRoundedDown() {
    assertThat(OpenClawRuntime.heapLimitMb(1536)).hasValue(1075); // 1075.2
    assertThat(OpenClawRuntime.heapLimitMb(1000)).hasValue(700);
    assertThat(OpenClawRuntime.heapLimitMb(2048)).hasValue(1433); // 1433.6
    assertThat(OpenClawRuntime.heapLimitMb(1)).hasValue(1);
    assertThat(OpenClawRuntime.heapLimitMb(0)).isEmpty();
    assertThat(OpenClawRuntime.heapLimitMb(-1)).isEmpty();
  }

  @Test
  void launch_withoutMemoryLimit_setsNoHeapCap() {
    assertThat(runtime.launch(installation, context(0)).environment()).doesNotContainKey("NODE_OPTIONS");
  }

  @Test
  void launch_refusesAnAddressOpenClawCannotBind() {
    for (String host : List.of("localhost", "::1", "127.0.0.256", "")) {
      RuntimeContext context = new RuntimeContext(placement(host, 18001, "http://127.0.0.1:8080/v1"), AGENT_TOKEN,
          GATEWAY_TOKEN, "m", 1536);
      assertThatThrownBy(() -> runtime.launch(installation, context)).as(host)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
    }
  }

  @Test
  void launch_withoutLocalInstall_runsOpenClawFromTheImage() {
    Launch launch = runtime.launch(new Installation("openclaw", "2026.9.6", null), context(1536));

    assertThat(launch.command()).containsExactly("openclaw", "gateway", "run");
    assertThat(launch.environment()).containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin")
        .containsEntry("HOME", "/agents/a1/home").containsEntry("OPENCLAW_STATE_DIR", "/agents/a1/state")
        .containsEntry("NODE_OPTIONS", "--max-old-space-size=1075");
    assertThat(launch.environment()).containsEntry("GATEWAY_AUTH_TOKEN", GATEWAY_TOKEN);
  }

  @Test
  void launch_onEveryInterface_bindsOpenClawsLanMode() {
    RuntimeContext context = new RuntimeContext(placement("0.0.0.0", 18799, "http://reef.reef.svc:8080/v1"),
        AGENT_TOKEN, GATEWAY_TOKEN, "m", 1536);

    JsonNode gateway = config(runtime.launch(installation, context)).path("gateway");

    assertThat(gateway.path("bind").asString()).isEqualTo("lan");
    assertThat(gateway.has("customBindHost")).isFalse();
    assertThat(gateway.path("port").asInt()).isEqualTo(18799);
  }

  @Test
  void endpoints_areOpenClawsOwn() {
    assertThat(runtime.name()).isEqualTo("openclaw");
    assertThat(runtime.defaultVersion()).isEqualTo("2026.9.6");
    assertThat(runtime.readinessPath()).isEqualTo("/readyz");
    assertThat(runtime.chatPath()).isEqualTo("/v1/chat/completions");
    assertThat(runtime.chatModel()).isEqualTo("openclaw/default");
  }
}
