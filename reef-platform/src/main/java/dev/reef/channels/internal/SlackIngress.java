package dev.reef.channels.internal;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.secrets.SecretStore;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reef as Slack's ingress: for each connected Slack channel Reef holds the app's Socket Mode connection itself (with
 * the real app-level token, which never enters the agent), keeps each message event in the channel's inbox before
 * acknowledging it to Slack, and wakes the agent; the agent takes the messages from Reef
 * ({@link SlackRelayEndpoint}, OpenClaw's Slack relay mode), asleep or not when they came.
 *
 * <p>Every Reef process holds a connection per app: Slack spreads an app's events over its connections, each event
 * to one, and the inbox takes an event once however often it comes. A connection Slack closes, or one that fails, is
 * opened again, with a growing pause (1 s to 1 min); a token Slack no longer accepts puts the channel in
 * {@code error} and stops trying until it is connected again.
 */
@Component
class SlackIngress implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(SlackIngress.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_MESSAGE_CHARS = 1 << 20;

  private final ChannelRepository channels;
  private final ChannelInbox inbox;
  private final ChatAppApis chatApps;
  private final SecretStore secrets;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<UUID, Holder> held = new ConcurrentHashMap<>();
  private volatile boolean running;

  SlackIngress(ChannelRepository channels, ChannelInbox inbox, ChatAppApis chatApps, SecretStore secrets,
      TransactionTemplate tx, Clock clock) {
    this.channels = channels;
    this.inbox = inbox;
    this.chatApps = chatApps;
    this.secrets = secrets;
    this.tx = tx;
    this.clock = clock;
  }

  @Override
  public void start() {
    running = true;
    Thread.ofVirtual().name("slack-ingress-start").start(() -> {
      for (ChannelRow row : DataScope.callAsPlatform(() -> tx.execute(s ->
          channels.ofTypeAcrossTenants(ChannelType.SLACK)))) {
        if (!"error".equals(row.status())) {
          hold(row);
        }
      }
    });
  }

  @Override
  public void stop() {
    running = false;
    held.values().forEach(Holder::close);
    held.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Holds (or holds afresh, with new tokens) the Socket Mode connection of a connected Slack channel. */
  void hold(ChannelRow row) {
    if (!running) {
      return;
    }
    Holder fresh = new Holder(row);
    Holder old = held.put(row.hookId(), fresh);
    if (old != null) {
      old.close();
    }
    fresh.thread = Thread.ofVirtual().name("slack-ingress-" + row.agentId()).start(fresh::run);
  }

  /** Lets go of a disconnected channel's connection. */
  void release(UUID hookId) {
    Holder old = held.remove(hookId);
    if (old != null) {
      old.close();
    }
  }

  /** Whether this Reef holds an open connection for the channel now (Slack said hello on it). */
  boolean connected(UUID hookId) {
    Holder holder = held.get(hookId);
    return holder != null && holder.hello;
  }

  private <T> T inTenant(TenantId tenantId, java.util.function.Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }

  /** One app's connection, opened again until it is let go of. */
  private final class Holder implements WebSocket.Listener {
    private final ChannelRow row;
    private volatile boolean closed;
    private volatile boolean hello;
    private volatile Thread thread;
    private volatile WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<Void> ended = new CompletableFuture<>();

    Holder(ChannelRow row) {
      this.row = row;
    }

    void run() {
      Duration pause = Duration.ofSeconds(1);
      while (!closed && running) {
        try {
          String appToken = inTenant(row.tenantId(), () -> JSON.readTree(secrets.reveal(row.credentials())))
              .path("appToken").asString();
          ended = new CompletableFuture<>();
          socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
              .buildAsync(chatApps.openSlackSocket(appToken), this).get();
          ended.get();
          pause = Duration.ofSeconds(1);
        } catch (InterruptedException e) {
          return;
        } catch (ChannelApiException e) {
          if (e.status() == 401) {
            log.info("agent {} of tenant {}: Slack refuses the app-level token ({}); not trying again",
                row.agentId(), row.tenantId(), e.getMessage());
            inTenant(row.tenantId(), () -> {
              channels.setStatus(row.tenantId(), row.agentId(), ChannelType.SLACK, "error", "Slack no longer "
                  + "accepts the app-level token (" + e.getMessage() + "): connect Slack again with a new one",
                  clock.instant());
              return null;
            });
            return;
          }
          log.info("agent {} of tenant {}: Slack's Socket Mode could not be opened: {}", row.agentId(),
              row.tenantId(), e.getMessage());
        } catch (Exception e) {
          log.info("agent {} of tenant {}: Slack's Socket Mode connection ended: {}", row.agentId(), row.tenantId(),
              e.getClass().getSimpleName());
        }
        hello = false;
        try {
          Thread.sleep(pause);
        } catch (InterruptedException e) {
          return;
        }
        pause = pause.multipliedBy(2).compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
            : pause.multipliedBy(2);
      }
    }

    void close() {
      closed = true;
      WebSocket open = socket;
      if (open != null) {
        open.abort();
      }
      ended.complete(null);
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (partial.length() > MAX_MESSAGE_CHARS) {
        webSocket.abort();
        ended.complete(null);
        return null;
      }
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          envelope(webSocket, JSON.readTree(text));
        } catch (RuntimeException e) {
          log.info("agent {}: a Slack envelope could not be taken: {}", row.agentId(), e.toString());
        }
      }
      webSocket.request(1);
      return null;
    }

    /** Slack's envelope: a message is kept before it is acknowledged (Slack sends again what is not). */
    private void envelope(WebSocket webSocket, JsonNode envelope) {
      switch (envelope.path("type").asString("")) {
        case "hello" -> {
          if (!hello) {
            log.info("agent {} of tenant {}: Reef holds Slack's Socket Mode connection", row.agentId(),
                row.tenantId());
          }
          hello = true;
        }
        case "disconnect" -> webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").thenRun(() -> ended.complete(null));
        default -> {
          JsonNode event = envelope.path("payload").path("event");
          if ("events_api".equals(envelope.path("type").asString()) && "message".equals(event.path("type")
              .asString()) && event.path("channel").isString()) {
            inbox.receiveSlack(row, event);
          }
          if (envelope.path("envelope_id").isString()) {
            webSocket.sendText("{\"envelope_id\":" + JSON.writeValueAsString(envelope.path("envelope_id")
                .asString()) + "}", true);
          }
        }
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended.complete(null);
    }
  }
}
