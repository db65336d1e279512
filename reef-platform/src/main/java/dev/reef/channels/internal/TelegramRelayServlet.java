package dev.reef.channels.internal;

import dev.reef.access.BearerCredentials;
import dev.reef.access.Caller;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.secrets.SecretStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Telegram's Bot API as Reef serves it to agents ({@code <LLM proxy base>/telegram/bot<bot id>:<agent token>/
 * <method>}): the agent's runtime long-polls {@code getUpdates} here and Reef answers from the channel's inbox;
 * what it sends ({@code sendMessage}, {@code sendChatAction}, ...) is forwarded to Telegram with the real token, and
 * Telegram's answer comes back as it was. The webhook is Reef's: {@code setWebhook}, {@code deleteWebhook},
 * {@code logOut} and {@code close} are answered here and never reach Telegram, so an agent cannot take its bot's
 * updates away from Reef.
 *
 * <p>An agent is who its agent token says; it reaches only its own channel, and a bot id that is not its channel's
 * is refused as Telegram refuses a wrong token (401).
 */
final class TelegramRelayServlet extends HttpServlet {

  private static final Logger log = LoggerFactory.getLogger(TelegramRelayServlet.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern METHOD = Pattern.compile("/bot([^/]{1,300})/([A-Za-z]{1,64})");
  private static final Pattern FILE = Pattern.compile("/file/bot([^/]{1,300})/([A-Za-z0-9_./-]{1,500})");
  /** The methods that would move the bot's updates away from Reef's webhook: answered here, never forwarded. */
  private static final List<String> REEFS_OWN = List.of("setwebhook", "deletewebhook", "logout", "close");
  private static final int MAX_BODY_BYTES = 64 << 20;
  private static final int DEFAULT_LIMIT = 100;

  private final BearerCredentials credentials;
  private final ChannelRepository channels;
  private final ChannelInbox inbox;
  private final TelegramBotApi telegram;
  private final SecretStore secrets;
  private final TransactionTemplate tx;
  private final Clock clock;

  TelegramRelayServlet(BearerCredentials credentials, ChannelRepository channels, ChannelInbox inbox,
      TelegramBotApi telegram, SecretStore secrets, TransactionTemplate tx, Clock clock) {
    this.credentials = credentials;
    this.channels = channels;
    this.inbox = inbox;
    this.telegram = telegram;
    this.secrets = secrets;
    this.tx = tx;
    this.clock = clock;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    Matcher file = FILE.matcher(path);
    Matcher method = METHOD.matcher(path);
    boolean isFile = file.matches() && !path.contains("..");
    if (!isFile && !method.matches()) {
      error(response, 404, "Not Found");
      return;
    }
    Optional<ChannelRow> channel = channel(isFile ? file.group(1) : method.group(1), request.getRemoteAddr());
    if (channel.isEmpty()) {
      error(response, 401, "Unauthorized");
      return;
    }
    try {
      if (isFile) {
        relay(channel.get(), telegram.file(token(channel.get()), file.group(2)), response);
        return;
      }
      String name = method.group(2);
      byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        error(response, 413, "Request Entity Too Large");
        return;
      }
      if (name.equalsIgnoreCase("getUpdates")) {
        getUpdates(channel.get(), parameters(request, body), response);
      } else if (REEFS_OWN.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        ok(response, JSON.getNodeFactory().booleanNode(true));
      } else if (name.equalsIgnoreCase("getWebhookInfo")) {
        ObjectNode info = JSON.createObjectNode();
        info.put("url", "");
        info.put("has_custom_certificate", false);
        info.put("pending_update_count", inbox.waiting(channel.get()));
        ok(response, info);
      } else {
        relay(channel.get(), telegram.forward(token(channel.get()), name, request.getContentType(), body,
            request.getQueryString()), response);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(response, 503, "Service Unavailable: Reef is stopping");
    } catch (IOException e) {
      if (response.isCommitted()) {
        throw e;
      }
      error(response, 502, "Bad Gateway: Telegram could not be reached (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The agent's channel, if the credential is {@code <its channel's bot id>:<its live agent token>}. */
  private Optional<ChannelRow> channel(String credential, String sourceAddress) {
    String decoded = URLDecoder.decode(credential, StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String botId = decoded.substring(0, colon);
    Optional<Caller> caller = credentials.resolve(decoded.substring(colon + 1), sourceAddress);
    if (caller.isEmpty() || !(caller.get() instanceof Caller.Agent agent)) {
      return Optional.empty();
    }
    TenantId tenantId = agent.tenantId();
    return inTenant(tenantId, () -> channels.find(tenantId, agent.agentId(), ChannelType.TELEGRAM))
        .filter(row -> row.botId().equals(botId));
  }

  private void getUpdates(ChannelRow channel, JsonNode parameters, HttpServletResponse response)
      throws IOException, InterruptedException {
    Long offset = parameters.has("offset") ? parameters.path("offset").asLong() : null;
    int limit = Math.max(1, Math.min(100, parameters.path("limit").asInt(DEFAULT_LIMIT)));
    Duration timeout = Duration.ofSeconds(Math.max(0, parameters.path("timeout").asLong(0)));
    List<ChannelUpdateRepository.Update> updates = inbox.take(channel, offset, limit, timeout);
    ArrayNode result = JSON.createArrayNode();
    for (ChannelUpdateRepository.Update update : updates) {
      result.add(JSON.readTree(update.payload()));
    }
    ok(response, result);
  }

  /** getUpdates' parameters: in a JSON body (what grammY sends), a form body, or the query string. */
  private static JsonNode parameters(HttpServletRequest request, byte[] body) {
    ObjectNode out = JSON.createObjectNode();
    String type = request.getContentType() == null ? "" : request.getContentType();
    if (body.length > 0 && type.startsWith("application/json")) {
      try {
        JsonNode json = JSON.readTree(body);
        if (json.isObject()) {
          return json;
        }
      } catch (RuntimeException e) {
        return out;
      }
    }
    Map<String, String> form = new HashMap<>();
    request.getParameterMap().forEach((k, v) -> form.put(k, v.length == 0 ? "" : v[0]));
    if (body.length > 0 && type.startsWith("application/x-www-form-urlencoded")) {
      for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    form.forEach((k, v) -> {
      try {
        out.put(k, Long.parseLong(v));
      } catch (NumberFormatException e) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Telegram's answer, as it was; a token Telegram no longer accepts marks the channel in error. */
  private void relay(ChannelRow channel, HttpResponse<InputStream> answer, HttpServletResponse response)
      throws IOException {
    int status = answer.statusCode();
    if (status == 401 && !"error".equals(channel.status())) {
      setStatus(channel, "error", "Telegram no longer accepts the bot's token (401 Unauthorized), e.g. after "
          + "/revoke in BotFather: connect Telegram again with the new token");
    } else if (status / 100 == 2 && "error".equals(channel.status())) {
      setStatus(channel, "connected", null);
    }
    response.setStatus(status);
    answer.headers().firstValue("content-type").ifPresent(response::setContentType);
    try (InputStream in = answer.body(); OutputStream out = response.getOutputStream()) {
      in.transferTo(out);
    }
  }

  private void setStatus(ChannelRow channel, String status, String reason) {
    log.info("agent {} of tenant {}: Telegram channel is {}{}", channel.agentId(), channel.tenantId(), status,
        reason == null ? "" : " (" + reason + ")");
    inTenant(channel.tenantId(), () -> {
      channels.setStatus(channel.tenantId(), channel.agentId(), channel.type(), status, reason, clock.instant());
      return null;
    });
  }

  private String token(ChannelRow channel) {
    return inTenant(channel.tenantId(), () -> secrets.reveal(channel.credentials()));
  }

  private static void ok(HttpServletResponse response, JsonNode result) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("ok", true);
    body.set("result", result);
    write(response, 200, body);
  }

  /** An error as Telegram words them, so the agent's Telegram client understands it. */
  private static void error(HttpServletResponse response, int status, String description) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("ok", false);
    body.put("error_code", status);
    body.put("description", description);
    write(response, status, body);
  }

  private static void write(HttpServletResponse response, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private <T> T inTenant(TenantId tenantId, java.util.function.Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }
}
