package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.AgentChannel;
import dev.reef.orchestration.AgentConfig;
import dev.reef.orchestration.RuntimeContext;
import java.util.regex.Pattern;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders one agent's {@code openclaw.json}: the same for every start of the agent (the tokens come through the
 * environment, see {@link #AGENT_TOKEN_ENV}) until its model or address changes. Everything OpenClaw would
 * otherwise pick by itself is pinned here; each setting says why. OpenClaw rejects unknown keys and exits at once
 * (exit code 78) naming the field, so every key below is one its 2026.9 configuration reference documents.
 */
final class OpenClawConfig {

  /** The id of Reef's LLM proxy among the agent's model providers: its models are {@code reef/<model>}. */
  static final String PROVIDER = "reef";

  /**
   * What OpenClaw is told about the model, which the runtime context does not carry yet: the window is what it
   * compacts the conversation to fit, the maximum what it asks for per call (Reef's default reservation, 4096).
   */
  static final int CONTEXT_WINDOW = 128_000;
  static final int MAX_TOKENS = 4_096;

  /** The file, relative to the agent's state directory, and the log file OpenClaw writes next to its state. */
  static final String FILE = "openclaw.json";
  static final String LOG_FILE = "logs/openclaw.log";

  /**
   * The environment variables that carry the agent's tokens. The file only refers to them (OpenClaw "SecretRef"s
   * of source {@code env}), so it is byte-for-byte the same from one start to the next although both tokens are
   * new at every start: when the credentials in its config change, OpenClaw spends about 3 s more on its start
   * (measured: 13.3-15.0 s against 10.4-12.8 s, same agent, same machine; docs/benchmarks.md). Their names are
   * read by no OpenClaw channel or provider: OpenClaw bundles a channel called "reef" that configures itself from
   * ambient {@code REEF_*} variables, and its gateway reads {@code OPENCLAW_GATEWAY_TOKEN} by itself.
   */
  static final String AGENT_TOKEN_ENV = "LLM_PROXY_TOKEN";
  static final String GATEWAY_TOKEN_ENV = "GATEWAY_AUTH_TOKEN";
  /** The Telegram channel's credential for Reef's Bot API (not OpenClaw's own TELEGRAM_BOT_TOKEN, read by itself). */
  static final String TELEGRAM_TOKEN_ENV = "CHANNEL_TELEGRAM_TOKEN";

  /** Slack's and Discord's tokens (not the SLACK_* / DISCORD_* variables OpenClaw reads by itself). */
  static final String SLACK_BOT_TOKEN_ENV = "CHANNEL_SLACK_BOT_TOKEN";
  /** What the agent proves itself with at Reef's Slack relay: its agent token, under a name of the channel's. */
  static final String SLACK_RELAY_TOKEN_ENV = "CHANNEL_SLACK_RELAY_TOKEN";
  static final String SLACK_RELAY_PATH = "/slack/relay";
  static final String DISCORD_TOKEN_ENV = "CHANNEL_DISCORD_TOKEN";
  /** Where, below the LLM proxy's base URL, Reef serves Discord's REST API (v10) and gateway to agents. */
  static final String DISCORD_API_PATH = "/discord/api/v10";

  /** Where, below the LLM proxy's base URL, Reef serves the Telegram Bot API to agents. */
  static final String TELEGRAM_API_PATH = "/telegram";

  /** The listen host of an agent that has a network namespace of its own. */
  static final String ALL_INTERFACES = "0.0.0.0";
  /** The listen host of a sandboxed agent: its own network namespace's loopback. */
  static final String LOOPBACK = "127.0.0.1";

  private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private OpenClawConfig() {}

  static byte[] render(RuntimeContext context) {
    return JSON.writeValueAsBytes(tree(context));
  }

  static ObjectNode tree(RuntimeContext context) {
    ObjectNode root = JSON.createObjectNode();
    gateway(root.putObject("gateway"), context);
    models(root.putObject("models"), context);

    ObjectNode defaults = root.putObject("agents").putObject("defaults");
    defaults.putObject("model").put("primary", PROVIDER + "/" + context.model());
    // Reef provisions the agent: no first-run interview that writes workspace files
    defaults.put("skipBootstrap", true);
    // A heartbeat is an agent turn (OpenClaw's default: every 30 minutes): a model call billed to the tenant while
    // nobody uses the agent, and traffic that keeps an idle agent from being stopped. Off unless the tenant sets
    // it, then with the (cheaper) model it picked for background runs.
    AgentConfig config = context.config();
    ObjectNode heartbeat = defaults.putObject("heartbeat");
    heartbeat.put("every", config.heartbeats() ? config.heartbeatEvery() : "0m");
    if (config.heartbeats() && config.heartbeatModel() != null) {
      heartbeat.put("model", PROVIDER + "/" + config.heartbeatModel());
    }
    tools(root, config);
    channels(root, context);

    // Memory embeddings default to OpenAI directly; through Reef they are metered and need no provider key
    root.putObject("memory").putObject("search").put("provider", PROVIDER);

    // Pinned version: no update checks (a daily request to OpenClaw's telemetry host) and no self-update
    ObjectNode update = root.putObject("update");
    update.put("checkOnStart", false);
    update.putObject("auto").put("enabled", false);
    root.putObject("telemetry").put("enabled", false);
    // One agent per tenant on a shared host: nothing to advertise on the LAN
    root.putObject("discovery").putObject("mdns").put("mode", "off");
    // Its default is a shared /tmp/openclaw/ (not TMPDIR): keep each agent's log with its own state
    root.putObject("logging").put("file", context.placement().path("state") + "/" + LOG_FILE);
    // A sandboxed agent has no network: everything but loopback (Reef's LLM proxy) goes through Reef's egress
    // proxy, which allows only its tenant's allowlist, named in its environment (see OpenClawRuntime). Not
    // OpenClaw's own proxy routing ("proxy.proxyUrl"): with it, OpenClaw 2026.9.6 dies in the middle of every stop and
    // counts the stop as a crash; three within five minutes (a new agent configured, then put to sleep and woken)
    // and it no longer starts its channels. Without it nothing reaches further: the sandbox has no other way out.
    return root;
  }

  /**
   * The chat channels the tenant connected. Telegram talks to Reef's Bot API, below the LLM proxy's URL (the one
   * address a sandboxed agent reaches), by long polling: Reef holds Telegram's webhook and the updates, so the
   * agent needs no public address, no webhook listener and no egress to Telegram.
   */
  private static void channels(ObjectNode root, RuntimeContext context) {
    if (context.channels().isEmpty()) {
      return;
    }
    ObjectNode channels = root.putObject("channels");
    for (AgentChannel channel : context.channels()) {
      switch (channel) {
        case AgentChannel.Telegram telegram -> {
          ObjectNode node = channels.putObject("telegram");
          node.put("enabled", true);
          envSecret(node.putObject("botToken"), TELEGRAM_TOKEN_ENV);
          node.put("apiRoot", context.placement().proxyBaseUrl() + TELEGRAM_API_PATH);
          dmPolicy(node, telegram);
        }
        case AgentChannel.Slack slack -> {
          // Relay mode: Reef holds Slack's Socket Mode connection and hands the messages over at /slack/relay
          // (ws:// is allowed for a loopback address only, which is where a sandboxed agent reaches Reef)
          ObjectNode node = channels.putObject("slack");
          node.put("enabled", true);
          node.put("mode", "relay");
          envSecret(node.putObject("botToken"), SLACK_BOT_TOKEN_ENV);
          ObjectNode relay = node.putObject("relay");
          relay.put("url", context.placement().proxyBaseUrl().replaceFirst("^http", "ws") + SLACK_RELAY_PATH);
          envSecret(relay.putObject("authToken"), SLACK_RELAY_TOKEN_ENV);
          relay.put("gatewayId", context.placement().agentId().toString());
          dmPolicy(node, slack);
        }
        case AgentChannel.Discord discord -> {
          ObjectNode node = channels.putObject("discord");
          node.put("enabled", true);
          envSecret(node.putObject("token"), DISCORD_TOKEN_ENV);
          dmPolicy(node, discord);
        }
      }
      // Slack and Discord are plugins of their own (see ChannelPlugins), which OpenClaw loads once enabled
      ChannelPlugins.pluginOf(channel).ifPresent(id -> root.withObjectProperty("plugins").withObjectProperty("entries")
          .putObject(id).put("enabled", true));
    }
    owners(root, context.channels());
  }

  /**
   * The people the tenant listed on its channels' allowlists are the agent's owners in OpenClaw's sense
   * ({@code commands.ownerAllowFrom}): OpenClaw lets only owners use its owner-only tools, such as automations (a
   * person asks for a report in an hour and the agent schedules it). Someone writing to an open bot is not one. What
   * an owner may do stays inside the agent's sandbox, as everything the agent does.
   */
  private static void owners(ObjectNode root, java.util.List<AgentChannel> channels) {
    tools.jackson.databind.node.ArrayNode owners = null;
    for (AgentChannel channel : channels) {
      if (!"allowlist".equals(channel.dmPolicy())) {
        continue;
      }
      String prefix = switch (channel) {
        case AgentChannel.Telegram t -> "telegram:";
        case AgentChannel.Slack s -> "slack:";
        case AgentChannel.Discord d -> "discord:";
      };
      for (String user : channel.allowFrom()) {
        if (owners == null) {
          owners = root.putObject("commands").putArray("ownerAllowFrom");
        }
        owners.add(prefix + user);
      }
    }
  }

  /** Who may write to the agent directly: only the listed users, or anyone (OpenClaw wants "*" listed then). */
  private static void dmPolicy(ObjectNode node, AgentChannel channel) {
    node.put("dmPolicy", channel.dmPolicy());
    tools.jackson.databind.node.ArrayNode allow = node.putArray("allowFrom");
    if ("open".equals(channel.dmPolicy())) {
      allow.add("*");
    } else {
      channel.allowFrom().forEach(allow::add);
    }
  }

  /** The tenant's tool policy; nothing when it set none (OpenClaw's default: every core tool). */
  private static void tools(ObjectNode root, AgentConfig config) {
    if (config.toolProfile() == null && config.toolsAllow().isEmpty() && config.toolsDeny().isEmpty()) {
      return;
    }
    ObjectNode tools = root.putObject("tools");
    if (config.toolProfile() != null) {
      tools.put("profile", config.toolProfile());
    }
    if (!config.toolsAllow().isEmpty()) {
      config.toolsAllow().forEach(tools.putArray("allow")::add);
    }
    if (!config.toolsDeny().isEmpty()) {
      config.toolsDeny().forEach(tools.putArray("deny")::add);
    }
  }

  private static void gateway(ObjectNode gateway, RuntimeContext context) {
    String host = context.placement().listenHost();
    if (host == null || !IPV4.matcher(host).matches()) {
      throw new IllegalArgumentException("OpenClaw binds to one IPv4 address, not '" + host + "'");
    }
    gateway.put("mode", "local");
    gateway.put("port", context.placement().listenPort());
    if (ALL_INTERFACES.equals(host)) {
      // A pod of its own (the kubernetes driver): every interface of the pod, OpenClaw's "lan" mode
      gateway.put("bind", "lan");
    } else if (LOOPBACK.equals(host)) {
      // A network namespace of its own (a sandbox): Reef reaches it through a door bridged to its loopback
      gateway.put("bind", "loopback");
    } else {
      // "loopback" would be 127.0.0.1 for every agent; "custom" binds the agent's own address (OpenClaw then also
      // binds 127.0.0.1 on the same port, see docs/runtimes.md)
      gateway.put("bind", "custom");
      gateway.put("customBindHost", host);
    }
    ObjectNode auth = gateway.putObject("auth");
    auth.put("mode", "token");
    envSecret(auth.putObject("token"), GATEWAY_TOKEN_ENV);
    // The OpenAI-compatible endpoint Reef's chat goes through; off by default
    gateway.putObject("http").putObject("endpoints").putObject("chatCompletions").put("enabled", true);
  }

  /** A reference to a secret OpenClaw reads from its environment when it starts. */
  private static void envSecret(ObjectNode ref, String variable) {
    ref.put("source", "env");
    ref.put("provider", "default");
    ref.put("id", variable);
  }

  private static void models(ObjectNode models, RuntimeContext context) {
    // Only Reef's proxy: no provider the agent could reach with a key of its own, and no catalog merged in
    models.put("mode", "replace");
    // The hosted model catalog is fetched at start and every six hours; Reef's catalog is the one that counts
    models.putObject("catalogRefresh").put("enabled", false);
    ObjectNode reef = models.putObject("providers").putObject(PROVIDER);
    reef.put("baseUrl", context.placement().proxyBaseUrl());
    envSecret(reef.putObject("apiKey"), AGENT_TOKEN_ENV);
    reef.put("api", "openai-completions");
    tools.jackson.databind.node.ArrayNode entries = reef.putArray("models");
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    ids.add(context.model());
    AgentConfig config = context.config();
    if (config.heartbeats() && config.heartbeatModel() != null) {
      ids.add(config.heartbeatModel()); // the background model must be one the agent knows too
    }
    for (String id : ids) {
      ObjectNode model = entries.addObject();
      model.put("id", id);
      model.put("name", id);
      model.put("contextWindow", CONTEXT_WINDOW);
      model.put("maxTokens", MAX_TOKENS);
    }
  }
}
