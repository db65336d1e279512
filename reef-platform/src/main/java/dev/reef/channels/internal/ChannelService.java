package dev.reef.channels.internal;

import dev.reef.channels.Channels;
import dev.reef.channels.internal.TelegramBotApi.TelegramException;
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
  private static final Pattern USER_ID = Pattern.compile("\\d{1,20}");
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
  private final SecretStore secrets;
  private final Agents agents;
  private final ReefProperties reef;
  private final TransactionTemplate tx;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  ChannelService(ChannelRepository channels, ChannelUpdateRepository updates, TelegramBotApi telegram,
      SecretStore secrets, Agents agents, ReefProperties reef, TransactionTemplate tx,
      ApplicationEventPublisher events, Clock clock) {
    this.channels = channels;
    this.updates = updates;
    this.telegram = telegram;
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
    String dmPolicy = dmPolicy(connection.dmPolicy() != null ? connection.dmPolicy()
        : existing.map(ChannelRow::dmPolicy).orElse("allowlist"));
    List<String> allowFrom = connection.allowFrom() != null ? allowFrom(connection.allowFrom())
        : existing.map(ChannelRow::allowFrom).orElse(List.of());
    if (dmPolicy.equals("allowlist") && allowFrom.isEmpty()) {
      throw new InvalidRequestException("allowFrom", "list the Telegram user ids (numbers) that may write to the "
          + "agent, or set dmPolicy to \"open\" to let anyone who finds the bot write to it");
    }
    String token = connection.botToken();
    if (token == null && existing.isEmpty()) {
      throw new InvalidRequestException("botToken", "is required to connect Telegram: the token BotFather gave you "
          + "(/newbot), like 123456789:AA...");
    }
    Instant now = clock.instant();
    ChannelRow next;
    if (token != null) {
      next = connectTelegram(tenantId, agentId, token.strip(), dmPolicy, allowFrom, existing, now);
    } else {
      ChannelRow current = existing.orElseThrow();
      next = new ChannelRow(tenantId, agentId, channelType, current.hookId(), current.webhookSecretHash(),
          current.credentials(), current.botId(), current.botName(), dmPolicy, allowFrom, current.status(),
          current.statusReason(), current.lastMessageAt(), current.connectedAt(), now);
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
    String applies = agentSeesChange ? apply(agent, actor) : "none";
    return view(agent, next, applies);
  }

  private ChannelRow connectTelegram(TenantId tenantId, UUID agentId, String token, String dmPolicy,
      List<String> allowFrom, Optional<ChannelRow> existing, Instant now) {
    if (!TelegramBotApi.TOKEN.matcher(token).matches()) {
      throw new InvalidRequestException("botToken", "is not a Telegram bot token: BotFather gives one like "
          + "123456789:AAH... (the bot's id, a colon, then the secret)");
    }
    TelegramBotApi.Bot bot;
    try {
      bot = telegram.getMe(token);
    } catch (TelegramException e) {
      throw refused("botToken", "Telegram did not accept this bot token", e);
    }
    UUID hookId = existing.filter(r -> r.botId().equals(bot.id())).map(ChannelRow::hookId)
        .orElseGet(UUID::randomUUID);
    String webhookSecret = randomSecret();
    String url = webhookUrl(hookId);
    try {
      telegram.setWebhook(token, url, webhookSecret);
    } catch (TelegramException e) {
      throw refused("webhook", "Telegram did not accept Reef's webhook address " + url + " (Telegram needs a "
          + "public HTTPS address: set REEF_PUBLIC_URL to Reef's)", e);
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
    stopWebhook(token);
    Channel out = disconnected(channelType);
    return new Channel(out.type(), out.status(), out.statusReason(), null, null, null, List.of(), null, null, null,
        0, null, apply(agent, actor));
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
        revealed.add(secrets.reveal(row.credentials()));
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
        }).toList();
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
    } catch (TelegramException e) {
      log.info("could not remove a disconnected Telegram bot's webhook: {}", e.getMessage());
    }
  }

  private Channel view(Agent agent, ChannelRow row, String applies) {
    long waiting = inTenant(row.tenantId(), () -> updates.countWaiting(row.tenantId(), row.hookId()));
    return new Channel(row.type().apiName(), row.status(), row.statusReason(), row.botId(), row.botName(),
        row.dmPolicy(), row.allowFrom(), webhookUrl(row.hookId()), row.lastMessageAt(), row.connectedAt(), waiting,
        "wakes", applies);
  }

  private static Channel disconnected(ChannelType type) {
    return new Channel(type.apiName(), "disconnected", null, null, null, null, List.of(), null, null, null, 0,
        null, null);
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

  /** Numeric user ids; OpenClaw's {@code tg:} and {@code telegram:} prefixes are accepted and dropped. */
  private static List<String> allowFrom(List<String> values) {
    if (values.size() > MAX_ALLOW_FROM) {
      throw new InvalidRequestException("allowFrom", "may list at most " + MAX_ALLOW_FROM + " users");
    }
    List<String> ids = new ArrayList<>();
    for (String value : values) {
      String id = value == null ? "" : value.strip().replaceFirst("^(tg|telegram):", "");
      if (!USER_ID.matcher(id).matches()) {
        throw new InvalidRequestException("allowFrom", "'" + value + "' is not a Telegram user id: use the number "
            + "(e.g. 123456789; @userinfobot tells you yours), not a @name or phone number");
      }
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    return List.copyOf(ids);
  }

  private static ProblemException refused(String field, String what, TelegramException e) {
    if (e.unreachable()) {
      return new ProblemException(ProblemType.CHANNEL_UNREACHABLE, "Telegram's Bot API could not be reached from "
          + "Reef; nothing was changed. Try again in a minute.").with("retryAfterSeconds", 30);
    }
    return new InvalidRequestException(field, what + ": Telegram says " + e.status() + " " + e.getMessage());
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
