package dev.reef.channels.internal;

import dev.reef.orchestration.AgentChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Discord's gateway as an agent reaches it ({@code /v1/discord/gateway}): for each connection an agent opens, Reef
 * opens one to Discord and passes the frames through, so the agent holds its Discord session as it would directly
 * (heartbeats, resumes, intents are the plugin's), with two changes on the way:
 *
 * <ul>
 *   <li>the IDENTIFY or RESUME the agent sends carries its stand-in token; Reef finds the agent by it and puts the
 *       bot's real token in its place. A token that is not a live agent's with a Discord channel ends the
 *       connection with Discord's own "authentication failed" (4004), before anything reaches Discord;
 *   <li>READY's {@code resume_gateway_url} is Reef's again, so the agent resumes here.
 * </ul>
 *
 * Frames stay JSON text (the plugin asks for {@code encoding=json} and no transport compression). Discord's close
 * codes pass through both ways, so the plugin's reconnect logic sees Discord's reasons.
 */
final class DiscordGatewayRelay extends TextWebSocketHandler {

  static final String PATH = "/v1/discord/gateway";
  private static final Logger log = LoggerFactory.getLogger(DiscordGatewayRelay.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9a-fA-F:]+](:[0-9]{1,5})?");
  /** Discord closes a connection that did not identify within about this long; Reef does it as well. */
  private static final Duration IDENTIFY_WITHIN = Duration.ofSeconds(30);
  private static final Duration LAST_MESSAGE_EVERY = Duration.ofSeconds(30);
  private static final String RELAY = "reef.discord.relay";

  private final RelayCallers callers;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
  /** Where Discord said its gateway is, in its latest {@code gateway/bot} answer. */
  private volatile URI discordGateway;

  DiscordGatewayRelay(RelayCallers callers, URI discordGateway, Clock clock) {
    this.callers = callers;
    this.discordGateway = discordGateway;
    this.clock = clock;
  }

  /** Reef's gateway as an agent that reached Reef at {@code host} dials it. */
  static String relayUrl(String host) {
    return "ws://" + (host != null && HOST.matcher(host).matches() ? host : "127.0.0.1") + PATH;
  }

  void discordSaid(URI gateway) {
    discordGateway = gateway;
  }

  /** One agent's connection and Reef's to Discord for it. */
  private final class Relay implements WebSocket.Listener {
    private final WebSocketSession agent;
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket discord;
    private volatile ChannelRow channel;
    private volatile Instant lastMessageNoted = Instant.EPOCH;

    Relay(WebSocketSession agent) {
      this.agent = agent;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        toAgent(text);
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
      socket.request(1); // never asked for (encoding=json, no compression)
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closeAgent(statusCode == WebSocket.NORMAL_CLOSURE || (statusCode >= 3000 && statusCode <= 4999)
          ? new CloseStatus(statusCode, reason) : new CloseStatus(4000, "Discord closed the connection"));
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      log.info("agent {}: Discord's gateway connection failed: {}", channel == null ? "?" : channel.agentId(),
          error.toString());
      closeAgent(new CloseStatus(4000, "Discord's gateway connection failed")); // the plugin resumes after 4000
    }

    private void toAgent(String text) {
      String out = text;
      try {
        JsonNode frame = JSON.readTree(text);
        if (frame.path("op").asInt(-1) == 0 && channel != null) {
          String type = frame.path("t").asString("");
          if (type.equals("READY") && frame.path("d") instanceof ObjectNode ready) {
            ready.put("resume_gateway_url", relayUrl(agent.getHandshakeHeaders().getFirst("Host")));
            out = JSON.writeValueAsString(frame);
          } else if (type.equals("MESSAGE_CREATE")) {
            noteMessage();
          }
        }
      } catch (RuntimeException e) {
        // not JSON: passed on as it is, the plugin decides
      }
      try {
        synchronized (agent) {
          agent.sendMessage(new TextMessage(out));
        }
      } catch (Exception e) {
        closeDiscord(4000);
      }
    }

    private void noteMessage() {
      Instant now = clock.instant();
      if (Duration.between(lastMessageNoted, now).compareTo(LAST_MESSAGE_EVERY) >= 0) {
        lastMessageNoted = now;
        try {
          callers.messageArrived(channel, now);
        } catch (RuntimeException e) {
          log.debug("agent {}: could not note a Discord message: {}", channel.agentId(), e.toString());
        }
      }
    }

    void closeAgent(CloseStatus status) {
      try {
        if (agent.isOpen()) {
          agent.close(status);
        }
      } catch (Exception ignored) {
        // gone already
      }
    }

    void closeDiscord(int code) {
      WebSocket socket = discord;
      if (socket != null && !socket.isOutputClosed()) {
        socket.sendClose(code, "").exceptionally(e -> null);
      }
    }
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws Exception {
    Relay relay = new Relay(session);
    session.getAttributes().put(RELAY, relay);
    try {
      // the agent's own version, always JSON and never compressed, so the relay can read what it passes
      relay.discord = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create(discordGateway.toString().replaceFirst("/?(\\?.*)?$", "/") + "?v=10&encoding=json"),
              relay).get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.info("Discord's gateway could not be reached for an agent: {}", e.toString());
      relay.closeAgent(new CloseStatus(4000, "Discord's gateway could not be reached"));
      return;
    }
    CompletableFuture.delayedExecutor(IDENTIFY_WITHIN.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (relay.channel == null && session.isOpen()) {
        relay.closeAgent(new CloseStatus(4003, "Not authenticated."));
      }
    });
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
    if (!(session.getAttributes().get(RELAY) instanceof Relay relay) || relay.discord == null) {
      return;
    }
    String out = message.getPayload();
    JsonNode frame;
    try {
      frame = JSON.readTree(out);
    } catch (RuntimeException e) {
      relay.closeAgent(new CloseStatus(4002, "Decode error."));
      relay.closeDiscord(1000);
      return;
    }
    int op = frame.path("op").asInt(-1);
    if ((op == 2 || op == 6) && frame.path("d") instanceof ObjectNode d) {
      String token = d.path("token").asString("").replaceFirst("(?i)^Bot ", "");
      Optional<ChannelRow> channel = callers.channel(AgentChannel.Discord.agentTokenOf(token),
          remoteAddress(session), ChannelType.DISCORD);
      if (channel.isEmpty() || (relay.channel != null && !relay.channel.hookId().equals(channel.get().hookId()))) {
        relay.closeAgent(new CloseStatus(4004, "Authentication failed."));
        relay.closeDiscord(1000);
        return;
      }
      relay.channel = channel.get();
      d.put("token", callers.credentials(channel.get()).get("token"));
      if (op == 2) {
        d.put("compress", false);
      }
      out = JSON.writeValueAsString(frame);
    }
    relay.discord.sendText(out, true).get(10, TimeUnit.SECONDS);
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    if (session.getAttributes().get(RELAY) instanceof Relay relay) {
      // a code of Discord's (or 1000) means what the agent meant; an abrupt end keeps the session resumable
      int code = status.getCode();
      relay.closeDiscord(code == 1000 || (code >= 3000 && code <= 4999) ? code : 4000);
    }
  }

  private static String remoteAddress(WebSocketSession session) {
    return session.getRemoteAddress() == null ? "discord-relay"
        : session.getRemoteAddress().getAddress().getHostAddress();
  }
}
