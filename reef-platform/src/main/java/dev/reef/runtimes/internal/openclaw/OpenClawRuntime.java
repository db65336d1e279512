package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.AgentChannel;
import dev.reef.orchestration.AgentSockets;
import dev.reef.orchestration.ScheduledRun;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.RuntimeContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * OpenClaw (npm package {@code openclaw}): one gateway process per agent, run from a shared install of the pinned
 * version (or from an image that has it, when the installation has no {@code home}), with its own state, workspace,
 * home and temp directories and a config rendered at each start.
 *
 * <p>Secrets: the agent token and the gateway token go into the config file only, never into the command or the
 * environment, which other local users can read ({@code ps}, {@code /proc/<pid>/environ}) and which a driver may log.
 */
final class OpenClawRuntime implements AgentRuntime {

  static final String NAME = "openclaw";

  /**
   * Share of the agent's memory limit given to the V8 heap of its main process; the rest is for native memory and
   * its two helper processes (about 175 MB together, measured).
   */
  static final double HEAP_SHARE = 0.70;

  /** The system directories after the cached Node: the agent's shell tools live there. */
  static final String SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";

  /**
   * The command an agent image runs OpenClaw with ({@code npm install -g openclaw@<version>} puts it in
   * {@code /usr/local/bin}), when there is no local install: the kubernetes driver.
   */
  static final String IMAGE_COMMAND = "openclaw";

  private final InstallCache cache;
  private final String defaultVersion;
  private final java.util.function.Supplier<List<String>> registry;
  private final ChannelPlugins plugins;

  OpenClawRuntime(InstallCache cache, String defaultVersion) {
    this(cache, defaultVersion, List::of, null);
  }

  /**
   * @param registry the versions the npm registry offers, newest first (cached by the caller's supplier)
   * @param plugins the channels' plugin packages, or null where none can be installed (then Slack and Discord are
   *     rendered but never start: OpenClaw has no such channel without its plugin)
   */
  OpenClawRuntime(InstallCache cache, String defaultVersion, java.util.function.Supplier<List<String>> registry,
      ChannelPlugins plugins) {
    this.cache = cache;
    this.defaultVersion = defaultVersion;
    this.registry = registry;
    this.plugins = plugins;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String defaultVersion() {
    return defaultVersion;
  }

  @Override
  public List<String> installedVersions() {
    return cache.installed();
  }

  @Override
  public boolean isInstalled(String version) {
    try {
      return cache.isInstalled(version);
    } catch (dev.reef.orchestration.RuntimeInstallException notAVersion) {
      return false;
    }
  }

  @Override
  public List<String> availableVersions() {
    return registry.get();
  }

  @Override
  public String probePath() {
    return "/healthz";
  }

  @Override
  public Installation install(String version, Consumer<String> progress) {
    return new Installation(NAME, version, cache.install(version, progress));
  }

  @Override
  public Launch launch(Installation installation, RuntimeContext context) {
    Placement placement = context.placement();
    Map<String, String> environment = new LinkedHashMap<>();
    List<String> command;
    if (installation.home() == null) {
      // An image brings OpenClaw (the kubernetes driver): `openclaw` is on the image's PATH, see
      // reef-kubernetes/IMAGE.md for the layout this relies on
      environment.put("PATH", SYSTEM_PATH);
      command = List.of(IMAGE_COMMAND, "gateway", "run");
    } else {
      Path home = installation.home();
      environment.put("PATH", home.resolve(OpenClawInstaller.NODE_BIN) + ":" + SYSTEM_PATH);
      command = List.of(home.resolve(OpenClawInstaller.NODE_BIN).resolve("node").toString(),
          home.resolve(OpenClawInstaller.ENTRY_POINT).toString(), "gateway", "run");
    }
    environment.put("HOME", placement.path("home"));
    environment.put("TMPDIR", placement.path("tmp"));
    environment.put("OPENCLAW_STATE_DIR", placement.path("state"));
    environment.put("OPENCLAW_CONFIG_PATH", placement.path("state") + "/" + OpenClawConfig.FILE);
    environment.put("OPENCLAW_WORKSPACE_DIR", placement.path("workspace"));
    environment.put("OPENCLAW_NO_AUTO_UPDATE", "1");
    environment.put("OPENCLAW_DISABLE_BONJOUR", "1");
    // An update or config restart stays in the same process, so the pid the driver started is the agent
    environment.put("OPENCLAW_NO_RESPAWN", "1");
    environment.put("DO_NOT_TRACK", "1");
    environment.put(OpenClawConfig.AGENT_TOKEN_ENV, context.agentToken());
    environment.put(OpenClawConfig.GATEWAY_TOKEN_ENV, context.gatewayToken());
    for (AgentChannel channel : context.channels()) {
      switch (channel) {
        // its credential for Reef's Bot API: shaped like a bot token (<bot id>:<secret>), the secret its agent token
        case AgentChannel.Telegram telegram -> environment.put(OpenClawConfig.TELEGRAM_TOKEN_ENV,
            telegram.botId() + ":" + context.agentToken());
        // stand-ins Reef's copy of Slack's Web API knows the agent by (and swaps for the real tokens)
        case AgentChannel.Slack slack -> {
          environment.put(OpenClawConfig.SLACK_BOT_TOKEN_ENV, AgentChannel.Slack.BOT_STAND_IN + context.agentToken());
          environment.put(OpenClawConfig.SLACK_RELAY_TOKEN_ENV, context.agentToken());
          // read by OpenClaw's Slack plugin for every Web API client it makes
          environment.put("SLACK_API_URL", context.placement().proxyBaseUrl() + "/slack/api/");
        }
        // a stand-in Reef's Discord relay knows the agent by; read by OpenClaw's Discord plugin for REST and gateway
        case AgentChannel.Discord discord -> {
          environment.put(OpenClawConfig.DISCORD_TOKEN_ENV, AgentChannel.Discord.standInToken(
              discord.applicationId(), context.agentToken()));
          environment.put("DISCORD_API_URL", context.placement().proxyBaseUrl() + OpenClawConfig.DISCORD_API_PATH);
        }
      }
    }
    heapLimitMb(context.memoryMb()).ifPresent(mb -> environment.put("NODE_OPTIONS", "--max-old-space-size=" + mb));
    String egress = context.egressProxyUrl();
    if (egress != null) {
      // Everything but loopback (the LLM proxy) through Reef's egress proxy: Node's own clients once told to
      // (NODE_USE_ENV_PROXY) and the programs OpenClaw's exec tool runs. Not OPENCLAW_PROXY_URL (OpenClaw's managed
      // routing): with it OpenClaw 2026.9.6 counts every stop as a crash (see OpenClawConfig)
      for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
        environment.put(name, egress);
      }
      environment.put("NO_PROXY", "localhost,127.0.0.1,::1");
      environment.put("no_proxy", "localhost,127.0.0.1,::1");
      environment.put("NODE_USE_ENV_PROXY", "1");
    }
    // the persona files the tenant set, over what the workspace had (OpenClaw reads them at each session)
    Map<String, byte[]> persona = new LinkedHashMap<>();
    context.config().persona().forEach((name, text) -> persona.put(name,
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    List<Launch.SharedDirectory> shared = new java.util.ArrayList<>();
    if (installation.home() != null && plugins != null) {
      for (AgentChannel channel : context.channels()) {
        ChannelPlugins.pluginOf(channel).ifPresent(id -> shared.add(plugins.forAgent(id, installation.version(),
            installation.home(), line -> log.info("{}: {}", id, line))));
      }
    }
    return new Launch(command, environment, Map.of(OpenClawConfig.FILE, OpenClawConfig.render(context)),
        installation.home() == null ? List.of() : List.of(installation.home()), persona, shared);
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OpenClawRuntime.class);

  /** The V8 heap cap for a memory limit, or none when there is no limit. */
  static OptionalLong heapLimitMb(long memoryMb) {
    if (memoryMb <= 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(1, (long) Math.floor(memoryMb * HEAP_SHARE)));
  }

  /**
   * Asks the gateway for its automations ({@code cron.list} over its WebSocket RPC, compact). A job Reef should wake
   * the agent for is one a person or the agent made (no {@code declarationKey}) or its heartbeat
   * ({@code heartbeat:...}); OpenClaw's own upkeep (memory dreaming, skill review) runs when the agent is up anyway.
   */
  @Override
  public List<ScheduledRun> upcomingRuns(Placement placement, String gatewayToken, AgentSockets sockets,
      java.time.Duration timeout) throws java.io.IOException {
    try (GatewayRpc rpc = GatewayRpc.open(sockets.open(placement), gatewayToken, timeout)) {
      return runs(rpc.call("cron.list", Map.of("compact", true)).path("jobs"));
    }
  }

  /** The enabled jobs with a next run, soonest first (at most {@link #MAX_RUNS}: what an agent says is bounded). */
  static List<ScheduledRun> runs(tools.jackson.databind.JsonNode jobs) {
    java.util.List<ScheduledRun> runs = new java.util.ArrayList<>();
    for (tools.jackson.databind.JsonNode job : jobs) {
      tools.jackson.databind.JsonNode next = job.path("nextRunAtMs");
      if (!job.path("enabled").asBoolean(false) || !next.isIntegralNumber()) {
        continue;
      }
      String key = job.path("declarationKey").asString(null);
      ScheduledRun.Kind kind = key == null ? ScheduledRun.Kind.JOB
          : key.startsWith("heartbeat:") ? ScheduledRun.Kind.HEARTBEAT : ScheduledRun.Kind.SYSTEM;
      String name = job.path("displayName").asString(job.path("name").asString("unnamed"));
      runs.add(new ScheduledRun(name.length() > 200 ? name.substring(0, 200) : name,
          java.time.Instant.ofEpochMilli(next.asLong()), kind));
    }
    runs.sort(java.util.Comparator.comparing(ScheduledRun::at));
    return runs.size() > MAX_RUNS ? List.copyOf(runs.subList(0, MAX_RUNS)) : List.copyOf(runs);
  }

  static final int MAX_RUNS = 50;

  @Override
  public String readinessPath() {
    return "/readyz";
  }

  @Override
  public String chatPath() {
    return "/v1/chat/completions";
  }

  @Override
  public String chatModel() {
    return "openclaw/default";
  }
}
