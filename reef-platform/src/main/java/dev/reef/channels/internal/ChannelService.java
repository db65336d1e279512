package dev.reef.channels.internal;

import dev.reef.channels.Channels;
import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentAuditEvents;
import dev.reef.orchestration.AgentChannel;
import dev.reef.orchestration.AgentChannels;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.orchestration.DesiredState;
import dev.reef.platform.PublicUrls;
import dev.reef.platform.ReefProperties;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Connects and disconnects agents' channels, and tells orchestration which channels a starting agent has.
 *
 * <p>Telegram: connecting checks the token with Telegram ({@code getMe}), then points the bot's webhook at Reef
 * ({@code REEF_PUBLIC_URL/hooks/telegram/<hook id>}, with a secret Telegram sends back on every update). The token
 * is sealed in the secret store; the agent is told only the bot's id and talks to Reef's Bot API with its agent
 * token ({@link TelegramRelayServlet}).
 */
@Service
class ChannelService implements Channels, AgentChannels {

  private static final Logger log = LoggerFactory.getLogger(ChannelService.class);

  static final String WEBHOOK_PATH = "/hooks/telegram/";
  private static final Map<ChannelType, Pattern> USER_IDS = Map.of(ChannelType.TELEGRAM,
      Pattern.compile("\\d{1,20}"), ChannelType.SLACK, Pattern.compile("[UW][A-Z0-9]{2,30}"), ChannelType.DISCORD,
      Pattern.compile("\\d{15,21}"));
  private static final Map<ChannelType, String> USERS = Map.of(ChannelType.TELEGRAM, "Telegram user ids (numbers)",
      ChannelType.SLACK, "Slack member ids (U…)", ChannelType.DISCORD, "Discord user ids (numbers)");
  private static final Map<ChannelType, String> USER_ID_HINT = Map.of(ChannelType.TELEGRAM,
      "use the number (e.g. 123456789; @userinfobot tells you yours), not a @name or phone number",
      ChannelType.SLACK, "use the member id (your profile → ⋮ → Copy member ID), like U0123ABCD",
      ChannelType.DISCORD, "use the number (Developer Mode on, then your profile → Copy User ID)");
  private static final Map<ChannelType, String> LABEL = Map.of(ChannelType.TELEGRAM, "Telegram",
      ChannelType.SLACK, "Slack", ChannelType.DISCORD, "Discord");
  private static final Map<ChannelType, String> TOKEN_HINT = Map.of(ChannelType.TELEGRAM,
      "the token BotFather gave you (/newbot), like 123456789:AA...", ChannelType.SLACK,
      "the bot token (xoxb-…) and, as appToken, the app-level token (xapp-…)", ChannelType.DISCORD,
      "the bot's token from the Developer Portal (Bot → Reset Token)");
  /**
   * What each channel lets its agent reach through the egress proxy while connected (port 443). Discord's API and
   * gateway are relayed by Reef (DiscordRelayServlet, DiscordGatewayRelay): the agent needs none of its hosts.
   */
  static final Map<ChannelType, List<String>> EGRESS_HOSTS = Map.of(ChannelType.TELEGRAM, List.of(),
      ChannelType.SLACK, List.of("slack.com", "*.slack.com", "*.slack-edge.com"),
      ChannelType.DISCORD, List.of());
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_ALLOW_FROM = 200;
  private static final List<String> DM_POLICIES = List.of("allowlist", "open");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A channel connected, changed or disconnected, for the tenant's audit log. */
  record ChannelChanged(TenantId tenant, Actor actor, UUID agentId, String type, String change, String botName)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "agent.channel_" + change;
    }

    @Override
    public Map<String, Object> details() {
      return botName == null ? Map.of("agentId", agentId.toString(), "type", type)
          : Map.of("agentId", agentId.toString(), "type", type, "bot", botName);
    }
  }

  private final ChannelRepository channels;
  private final ChannelUpdateRepository updates;
  private final TelegramBotApi telegram;
  private final ChatAppApis chatApps;
  private final SlackIngress slackIngress;
  private final SecretStore secrets;
  private final Agents agents;
  private final ReefProperties reef;
  private final TransactionTemplate tx;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  ChannelService(ChannelRepository channels, ChannelUpdateRepository updates, TelegramBotApi telegram,
      ChatAppApis chatApps, SlackIngress slackIngress, SecretStore secrets, Agents agents, ReefProperties reef,
      TransactionTemplate tx,
      ApplicationEventPublisher events, Clock clock) {
    this.channels = channels;
    this.updates = updates;
    this.telegram = telegram;
    this.chatApps = chatApps;
    this.slackIngress = slackIngress;
    this.secrets = secrets;
    this.agents = agents;
    this.reef = reef;
    this.tx = tx;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<String> types() {
    return ChannelType.names();
  }

  @Override
  public List<Channel> list(TenantId tenantId, UUID agentId) {
    Agent agent = agents.get(tenantId, agentId);
    List<ChannelRow> rows = inTenant(tenantId, () -> channels.list(tenantId, agentId));
    List<Channel> out = new ArrayList<>();
    for (ChannelType type : ChannelType.values()) {
      out.add(rows.stream().filter(r -> r.type() == type).findFirst().map(r -> view(agent, r, null))
          .orElseGet(() -> disconnected(type)));
    }
    return out;
  }

  @Override
  public Channel get(TenantId tenantId, UUID agentId, String type) {
    Agent agent = agents.get(tenantId, agentId);
    ChannelType channelType = type(type);
    return inTenant(tenantId, () -> channels.find(tenantId, agentId, channelType)).map(r -> view(agent, r, null))
        .orElseGet(() -> disconnected(channelType));
  }

  @Override
  public Channel connect(TenantId tenantId, UUID agentId, String type, Connection connection, Actor actor) {
    Agent agent = agents.get(tenantId, agentId);
    ChannelType channelType = type(type);
    Optional<ChannelRow> existing = inTenant(tenantId, () -> channels.find(tenantId, agentId, channelType));
    if (connection.botToken() != null) {
      checkShape(channelType, connection.botToken().strip()); // a mistyped token first: it is what people get wrong
    }
    String dmPolicy = dmPolicy(connection.dmPolicy() != null ? connection.dmPolicy()
        : existing.map(ChannelRow::dmPolicy).orElse("allowlist"));
    List<String> allowFrom = connection.allowFrom() != null ? allowFrom(channelType, connection.allowFrom())
        : existing.map(ChannelRow::allowFrom).orElse(List.of());
    if (dmPolicy.equals("allowlist") && allowFrom.isEmpty()) {
      throw new InvalidRequestException("allowFrom", "list the " + USERS.get(channelType) + " that may write to "
          + "the agent, or set dmPolicy to \"open\" to let anyone who finds the bot write to it");
    }
    boolean newCredentials = connection.botToken() != null || connection.appToken() != null;
    if (existing.isEmpty() && connection.botToken() == null) {
      throw new InvalidRequestException("botToken", "is required to connect " + LABEL.get(channelType) + ": "
          + TOKEN_HINT.get(channelType));
    }
    if (connection.appToken() != null && channelType != ChannelType.SLACK) {
      throw new InvalidRequestException("appToken", "is only for Slack");
    }
    Instant now = clock.instant();
    ChannelRow next;
    if (!newCredentials) {
      ChannelRow current = existing.orElseThrow();
      next = new ChannelRow(tenantId, agentId, channelType, current.hookId(), current.webhookSecretHash(),
          current.credentials(), current.botId(), current.botName(), dmPolicy, allowFrom, current.status(),
          current.statusReason(), current.lastMessageAt(), current.connectedAt(), now);
    } else {
      next = switch (channelType) {
        case TELEGRAM -> connectTelegram(tenantId, agentId, required(connection.botToken(), "botToken"), dmPolicy,
            allowFrom, existing, now);
        case SLACK -> connectSlack(tenantId, agentId, connection, dmPolicy, allowFrom, existing, now);
        case DISCORD -> connectDiscord(tenantId, agentId, required(connection.botToken(), "botToken"), dmPolicy,
            allowFrom, existing, now);
      };
    }
    boolean agentSeesChange = existing.map(r -> !r.botId().equals(next.botId()) || !r.dmPolicy().equals(dmPolicy)
        || !r.allowFrom().equals(allowFrom)).orElse(true);
    inTenant(tenantId, () -> {
      channels.upsert(tenantId, next);
      if (existing.isPresent() && !existing.get().hookId().equals(next.hookId())) {
        updates.deleteAll(tenantId, existing.get().hookId()); // another bot: what the old one sent is not for it
      }
      events.publishEvent(new ChannelChanged(tenantId, actor, agentId, channelType.apiName(),
          existing.isPresent() ? "changed" : "connected", next.botName()));
      return null;
    });
    if (channelType == ChannelType.SLACK) {
      slackIngress.hold(next); // Reef holds Slack's connection, with the tokens just checked
    }
    String applies = agentSeesChange ? apply(agent, actor) : "none";
    return view(agent, next, applies);
  }

  /** Slack's two tokens: a new one replaces the stored one, the other is kept. Both are checked with Slack. */
  private ChannelRow connectSlack(TenantId tenantId, UUID agentId, Connection connection, String dmPolicy,
      List<String> allowFrom, Optional<ChannelRow> existing, Instant now) {
    Map<String, String> stored = existing.map(r -> credentials(r)).orElse(Map.of());
    String botToken = connection.botToken() != null ? connection.botToken().strip() : stored.get("botToken");
    String appToken = connection.appToken() != null ? connection.appToken().strip() : stored.get("appToken");
    // the bot token's shape was checked on the way in (checkShape); a stored one was checked when it was stored
    if (appToken == null || !appToken.matches("xapp-[A-Za-z0-9-]{10,250}")) {
      throw new InvalidRequestException("appToken", "is required for Slack's Socket Mode: an app-level token with "
          + "connections:write (Basic Information → App-Level Tokens), starting with xapp-");
    }
    ChatAppApis.Identity bot;
    try {
      bot = chatApps.slackBot(botToken);
    } catch (ChannelApiException e) {
      throw refused("botToken", "Slack did not accept this bot token", "Slack", e);
    }
    try {
      chatApps.slackApp(appToken);
    } catch (ChannelApiException e) {
      throw refused("appToken", "Slack did not accept this app-level token", "Slack", e);
    }
    String json = JSON.writeValueAsString(Map.of("botToken", botToken, "appToken", appToken));
    return storeCredentials(tenantId, agentId, ChannelType.SLACK, json, bot, dmPolicy, allowFrom, existing, now);
  }

  private ChannelRow connectDiscord(TenantId tenantId, UUID agentId, String token, String dmPolicy,
      List<String> allowFrom, Optional<ChannelRow> existing, Instant now) {
    ChatAppApis.Identity bot;
    try {
      bot = chatApps.discordBot(token);
    } catch (ChannelApiException e) {
      throw refused("botToken", "Discord did not accept this bot token", "Discord", e);
    }
    String json = JSON.writeValueAsString(Map.of("token", token));
    return storeCredentials(tenantId, agentId, ChannelType.DISCORD, json, bot, dmPolicy, allowFrom, existing, now);
  }

  private ChannelRow storeCredentials(TenantId tenantId, UUID agentId, ChannelType type, String sealed,
      ChatAppApis.Identity bot, String dmPolicy, List<String> allowFrom, Optional<ChannelRow> existing,
      Instant now) {
    SecretRef credentials = inTenant(tenantId, () -> {
      if (existing.isPresent()) {
        secrets.replace(existing.get().credentials(), sealed);
        return existing.get().credentials();
      }
      return secrets.put(tenantId, "channel:" + type.apiName(), sealed);
    });
    return new ChannelRow(tenantId, agentId, type, existing.map(ChannelRow::hookId).orElseGet(UUID::randomUUID),
        null, credentials, bot.id(), bot.name() == null ? null : "@" + bot.name(), dmPolicy, allowFrom,
        "connected", null, existing.map(ChannelRow::lastMessageAt).orElse(null),
        now, now);
  }

  /** Slack's and Discord's credentials, sealed as JSON (Telegram's is the bare token). */
  Map<String, String> credentials(ChannelRow row) {
    String text = inTenant(row.tenantId(), () -> secrets.reveal(row.credentials()));
    return JSON.readValue(text, new tools.jackson.core.type.TypeReference<Map<String, String>>() {});
  }

  /** A bot token that cannot be one, refused before anything is asked of the app. */
  private static void checkShape(ChannelType type, String token) {
    boolean plausible = switch (type) {
      case TELEGRAM -> TelegramBotApi.TOKEN.matcher(token).matches();
      case SLACK -> token.matches("xoxb-[A-Za-z0-9-]{10,250}");
      case DISCORD -> token.matches("[A-Za-z0-9._-]{50,100}");
    };
    if (!plausible) {
      throw new InvalidRequestException("botToken", "is not a " + LABEL.get(type) + " bot token: "
          + TOKEN_HINT.get(type));
    }
  }

  private static String required(String value, String field) {
    if (value == null) {
      throw new InvalidRequestException(field, "is required");
    }
    return value.strip();
  }

  private ChannelRow connectTelegram(TenantId tenantId, UUID agentId, String token, String dmPolicy,
      List<String> allowFrom, Optional<ChannelRow> existing, Instant now) {
    TelegramBotApi.Bot bot;
    try {
      bot = telegram.getMe(token);
    } catch (ChannelApiException e) {
      throw refused("botToken", "Telegram did not accept this bot token", "Telegram", e);
    }
    UUID hookId = existing.filter(r -> r.botId().equals(bot.id())).map(ChannelRow::hookId)
        .orElseGet(UUID::randomUUID);
    String webhookSecret = randomSecret();
    String url = webhookUrl(hookId);
    try {
      telegram.setWebhook(token, url, webhookSecret);
    } catch (ChannelApiException e) {
      throw refused("webhook", "Telegram did not accept Reef's webhook address " + url + " (Telegram needs a "
          + "public HTTPS address: set REEF_PUBLIC_URL to Reef's)", "Telegram", e);
    }
    SecretRef credentials = inTenant(tenantId, () -> {
      if (existing.isPresent()) {
        secrets.replace(existing.get().credentials(), token);
        return existing.get().credentials();
      }
      return secrets.put(tenantId, "channel:telegram", token);
    });
    if (existing.isPresent() && !existing.get().botId().equals(bot.id())) {
      log.info("agent {} of tenant {}: Telegram bot changed from {} to {}", agentId, tenantId,
          existing.get().botId(), bot.id());
    }
    String name = bot.username() == null ? null : "@" + bot.username();
    return new ChannelRow(tenantId, agentId, ChannelType.TELEGRAM, hookId, sha256(webhookSecret), credentials,
        bot.id(), name, dmPolicy, allowFrom, "connected", null,
        existing.filter(r -> r.hookId().equals(hookId)).map(ChannelRow::lastMessageAt).orElse(null), now, now);
  }

  @Override
  public Channel disconnect(TenantId tenantId, UUID agentId, String type, Actor actor) {
    Agent agent = agents.get(tenantId, agentId);
    ChannelType channelType = type(type);
    ChannelRow row = inTenant(tenantId, () -> channels.find(tenantId, agentId, channelType))
        .orElseThrow(() -> new NotFoundException("channel", type));
    String token = inTenant(tenantId, () -> {
      String revealed = secrets.reveal(row.credentials());
      channels.delete(tenantId, agentId, channelType);
      updates.deleteAll(tenantId, row.hookId());
      secrets.delete(row.credentials());
      events.publishEvent(new ChannelChanged(tenantId, actor, agentId, channelType.apiName(), "disconnected",
          row.botName()));
      return revealed;
    });
    if (channelType == ChannelType.TELEGRAM) {
      stopWebhook(token);
    } else if (channelType == ChannelType.SLACK) {
      slackIngress.release(row.hookId());
    }
    Channel out = disconnected(channelType);
    return new Channel(out.type(), out.status(), out.statusReason(), null, null, null, List.of(), null, null, null,
        0, null, List.of(), apply(agent, actor));
  }

  /** A deleted agent's channels go with it, in the transaction that deletes it; the webhooks are removed after. */
  @EventListener
  void on(AgentAuditEvents.AgentChanged changed) {
    if (!changed.change().equals("deleted")) {
      return;
    }
    List<String> tokens = inTenant(changed.tenant(), () -> {
      List<String> revealed = new ArrayList<>();
      for (ChannelRow row : channels.list(changed.tenant(), changed.agentId())) {
        if (row.type() == ChannelType.TELEGRAM) {
          revealed.add(secrets.reveal(row.credentials()));
        } else if (row.type() == ChannelType.SLACK) {
          slackIngress.release(row.hookId());
        }
        channels.delete(changed.tenant(), changed.agentId(), row.type());
        updates.deleteAll(changed.tenant(), row.hookId());
        secrets.delete(row.credentials());
      }
      return revealed;
    });
    tokens.forEach(token -> Thread.ofVirtual().name("telegram-unhook").start(() -> stopWebhook(token)));
  }

  @Override
  public List<AgentChannel> forStart(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> channels.list(tenantId, agentId)).stream()
        .map(row -> (AgentChannel) switch (row.type()) {
          case TELEGRAM -> new AgentChannel.Telegram(row.botId(), row.dmPolicy(), row.allowFrom());
          case SLACK -> new AgentChannel.Slack(row.dmPolicy(), row.allowFrom());
          case DISCORD -> new AgentChannel.Discord(row.botId(), row.dmPolicy(), row.allowFrom());
        }).toList();
  }

  @Override
  public boolean keepsAwake(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> channels.list(tenantId, agentId)).stream()
        .anyMatch(row -> row.type() == ChannelType.DISCORD); // Telegram and Slack wake it: Reef holds those
  }

  @Override
  public List<String> egressHosts(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> channels.list(tenantId, agentId)).stream()
        .flatMap(row -> EGRESS_HOSTS.get(row.type()).stream()).distinct().toList();
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A running agent restarts to pick up a change its runtime sees; a stopped one gets it at its next start. */
  private String apply(Agent agent, Actor actor) {
    boolean running = agent.desired() == DesiredState.RUNNING && !(agent.state() instanceof AgentState.Stopped)
        && !(agent.state() instanceof AgentState.Failed);
    if (running) {
      agents.restart(agent.tenantId(), agent.id(), actor);
      return "restart";
    }
    return "next-start";
  }

  private void stopWebhook(String token) {
    try {
      telegram.deleteWebhook(token);
    } catch (ChannelApiException e) {
      log.info("could not remove a disconnected Telegram bot's webhook: {}", e.getMessage());
    }
  }

  private Channel view(Agent agent, ChannelRow row, String applies) {
    long waiting = inTenant(row.tenantId(), () -> updates.countWaiting(row.tenantId(), row.hookId()));
    boolean telegram = row.type() == ChannelType.TELEGRAM;
    return new Channel(row.type().apiName(), row.status(), row.statusReason(), row.botId(), row.botName(),
        row.dmPolicy(), row.allowFrom(), telegram ? webhookUrl(row.hookId()) : null, row.lastMessageAt(),
        row.connectedAt(), waiting, row.type() == ChannelType.DISCORD ? "kept-awake" : "wakes",
        EGRESS_HOSTS.get(row.type()), applies);
  }

  private static Channel disconnected(ChannelType type) {
    return new Channel(type.apiName(), "disconnected", null, null, null, null, List.of(), null, null, null, 0,
        null, List.of(), null);
  }

  /** On {@code REEF_PUBLIC_URL}, which Telegram must be able to reach (else on the address of this request). */
  private String webhookUrl(UUID hookId) {
    return PublicUrls.absolute(reef, WEBHOOK_PATH + hookId);
  }

  private static ChannelType type(String name) {
    return ChannelType.of(name).orElseThrow(() -> new NotFoundException("channel type", name));
  }

  private static String dmPolicy(String value) {
    if (!DM_POLICIES.contains(value)) {
      throw new InvalidRequestException("dmPolicy", "must be one of " + DM_POLICIES + ", not '" + value + "'");
    }
    return value;
  }

  /**
   * User ids as each app has them: Telegram's numbers (OpenClaw's {@code tg:} and {@code telegram:} prefixes are
   * accepted and dropped), Slack's member ids ({@code U0123ABCD}), Discord's snowflakes (numbers).
   */
  private static List<String> allowFrom(ChannelType type, List<String> values) {
    if (values.size() > MAX_ALLOW_FROM) {
      throw new InvalidRequestException("allowFrom", "may list at most " + MAX_ALLOW_FROM + " users");
    }
    List<String> ids = new ArrayList<>();
    for (String value : values) {
      String id = value == null ? "" : value.strip().replaceFirst("^(tg|telegram|slack|discord):", "");
      if (!USER_IDS.get(type).matcher(id).matches()) {
        throw new InvalidRequestException("allowFrom", "'" + value + "' is not one of the " + USERS.get(type)
            + ": " + USER_ID_HINT.get(type));
      }
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    return List.copyOf(ids);
  }

  private static ProblemException refused(String field, String what, String service, ChannelApiException e) {
    if (e.unreachable()) {
      return new ProblemException(ProblemType.CHANNEL_UNREACHABLE, service + "'s API could not be reached from "
          + "Reef; nothing was changed. Try again in a minute.").with("retryAfterSeconds", 30);
    }
    return new InvalidRequestException(field, what + ": " + service + " says " + e.status() + " " + e.getMessage());
  }

  static String randomSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String sha256(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private <T> T inTenant(TenantId tenantId, Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }
}
