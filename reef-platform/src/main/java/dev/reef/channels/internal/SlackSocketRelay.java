package dev.reef.channels.internal;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * Joins an agent's Socket Mode connection ({@code /v1/slack/socket/<ticket>}, the address Reef gave it for
 * {@code apps.connections.open}) to the one Slack offered: text both ways as it comes (Slack's envelopes in, the
 * agent's acknowledgements out); when one side closes, so does the other. Pings are each side's own.
 */
final class SlackSocketRelay extends TextWebSocketHandler {

  static final String PATH = "/v1/slack/socket/";
  private static final Logger log = LoggerFactory.getLogger(SlackSocketRelay.class);
  private static final String UPSTREAM = "reef.slack.upstream";
  private static final int MAX_MESSAGE_BYTES = 1 << 20;

  private final SlackSockets sockets;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  SlackSocketRelay(SlackSockets sockets) {
    this.sockets = sockets;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws Exception {
    String path = session.getUri() == null ? "" : session.getUri().getPath();
    String ticket = path.startsWith(PATH) ? path.substring(PATH.length()) : "";
    Optional<SlackSockets.Ticket> offered = sockets.take(ticket);
    if (offered.isEmpty()) {
      log.info("a Slack Socket Mode connection with an unknown or used ticket was refused");
      session.close(CloseStatus.POLICY_VIOLATION.withReason("unknown or used ticket"));
      return;
    }
    WebSocketSession agent = new ConcurrentWebSocketSessionDecorator(session, 10_000, MAX_MESSAGE_BYTES * 4);
    try {
      WebSocket upstream = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(offered.get().upstream(), new FromSlack(agent)).get();
      session.getAttributes().put(UPSTREAM, upstream);
      log.info("agent {} of tenant {}: Slack Socket Mode connected through Reef", offered.get().agentId(),
          offered.get().tenantId());
    } catch (Exception e) {
      log.info("agent {} of tenant {}: Slack's Socket Mode address could not be reached: {}",
          offered.get().agentId(), offered.get().tenantId(), e.getClass().getSimpleName());
      session.close(CloseStatus.SERVER_ERROR.withReason("Slack could not be reached"));
    }
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) {
    if (session.getAttributes().get(UPSTREAM) instanceof WebSocket upstream) {
      upstream.sendText(message.getPayload(), true).join();
    }
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    if (session.getAttributes().get(UPSTREAM) instanceof WebSocket upstream && !upstream.isOutputClosed()) {
      upstream.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }

  /** Slack's side: each whole text message to the agent, then the next one asked for. */
  private static final class FromSlack implements WebSocket.Listener {
    private final WebSocketSession agent;
    private final StringBuilder partial = new StringBuilder();

    FromSlack(WebSocketSession agent) {
      this.agent = agent;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (partial.length() > MAX_MESSAGE_BYTES) {
        webSocket.abort();
        closeAgent(CloseStatus.TOO_BIG_TO_PROCESS);
        return null;
      }
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          agent.sendMessage(new TextMessage(text));
        } catch (Exception e) {
          webSocket.abort();
          return null;
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1); // Socket Mode speaks text
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeAgent(new CloseStatus(statusCode == WebSocket.NORMAL_CLOSURE || statusCode >= 3000 ? statusCode
          : CloseStatus.GOING_AWAY.getCode()));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeAgent(CloseStatus.SERVER_ERROR);
    }

    private void closeAgent(CloseStatus status) {
      try {
        agent.close(status);
      } catch (Exception e) {
        // the agent's side is gone already
      }
    }
  }
}
