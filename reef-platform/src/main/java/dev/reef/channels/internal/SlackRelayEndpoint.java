package dev.reef.channels.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
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
 * Where an agent takes its Slack messages from Reef ({@code /v1/slack/relay}): the router end of OpenClaw's Slack
 * relay mode ({@code channels.slack.mode: "relay"}). The agent connects with its agent token as the bearer; Reef says
 * {@code hello}, then hands over the channel's inbox one message at a time ({@code slack_event}, its update id as
 * {@code delivery_id}) and takes the next only once the agent acknowledged the last ({@code ack}): OpenClaw
 * acknowledges what its own durable ingress has taken, so a message is acknowledged in the inbox (and never sent
 * again) only once the agent has it. A message not acknowledged within a minute is sent again on the agent's next
 * connection.
 */
final class SlackRelayEndpoint extends TextWebSocketHandler {

  static final String PATH = "/v1/slack/relay";
  private static final Logger log = LoggerFactory.getLogger(SlackRelayEndpoint.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration ACK_TIMEOUT = Duration.ofMinutes(1);
  private static final String ACKS = "reef.slack.acks";
  private static final String FEEDER = "reef.slack.feeder";

  private final RelayCallers callers;
  private final ChannelInbox inbox;

  SlackRelayEndpoint(RelayCallers callers, ChannelInbox inbox) {
    this.callers = callers;
    this.inbox = inbox;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws Exception {
    String header = session.getHandshakeHeaders().getFirst("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
        : "";
    Optional<ChannelRow> channel = callers.channel(token, "slack-relay", ChannelType.SLACK);
    if (channel.isEmpty()) {
      session.close(CloseStatus.POLICY_VIOLATION.withReason("not an agent with a Slack channel"));
      return;
    }
    SynchronousQueue<String> acks = new SynchronousQueue<>();
    session.getAttributes().put(ACKS, acks);
    session.sendMessage(new TextMessage("{\"type\":\"hello\"}"));
    Thread feeder = Thread.ofVirtual().name("slack-relay-" + channel.get().agentId()).start(() ->
        feed(session, channel.get(), acks));
    session.getAttributes().put(FEEDER, feeder);
    log.info("agent {} of tenant {}: takes its Slack messages from Reef", channel.get().agentId(),
        channel.get().tenantId());
  }

  /** The inbox, one message at a time, each acknowledged before the next; until the connection ends. */
  private void feed(WebSocketSession session, ChannelRow channel, SynchronousQueue<String> acks) {
    Long offset = null;
    try {
      while (session.isOpen()) {
        List<ChannelUpdateRepository.Update> next = inbox.take(channel, offset, 1, Duration.ofSeconds(25));
        if (next.isEmpty()) {
          continue;
        }
        ChannelUpdateRepository.Update update = next.getFirst();
        JsonNode event = JSON.readTree(update.payload());
        ObjectNode frame = JSON.createObjectNode();
        frame.put("type", "slack_event");
        frame.put("delivery_id", Long.toString(update.updateId()));
        ObjectNode route = frame.putObject("route");
        route.put("kind", "channel_default");
        route.put("key", event.path("channel").asString());
        frame.putObject("payload").set("event", event);
        synchronized (session) {
          session.sendMessage(new TextMessage(JSON.writeValueAsString(frame)));
        }
        String acked = acks.poll(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        while (acked != null && !acked.equals(Long.toString(update.updateId()))) {
          acked = acks.poll(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // a late ack of an earlier one
        }
        if (acked == null) {
          log.info("agent {}: did not acknowledge a Slack message in {} s; it is sent again on its next connection",
              channel.agentId(), ACK_TIMEOUT.toSeconds());
          session.close(CloseStatus.SESSION_NOT_RELIABLE);
          return;
        }
        offset = update.updateId() + 1;
      }
    } catch (InterruptedException e) {
      // the connection ended
    } catch (Exception e) {
      log.info("agent {}: Slack relay connection ended: {}", channel.agentId(), e.toString());
      try {
        session.close(CloseStatus.SERVER_ERROR);
      } catch (Exception ignored) {
        // gone already
      }
    } finally {
      if (offset != null) {
        Long acknowledged = offset;
        try {
          inbox.take(channel, acknowledged, 1, Duration.ZERO); // records the last acknowledgement
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
    JsonNode frame;
    try {
      frame = JSON.readTree(message.getPayload());
    } catch (RuntimeException e) {
      return;
    }
    if ("ack".equals(frame.path("type").asString()) && frame.path("delivery_id").isString()
        && session.getAttributes().get(ACKS) instanceof SynchronousQueue<?> queue) {
      @SuppressWarnings("unchecked")
      SynchronousQueue<String> acks = (SynchronousQueue<String>) queue;
      acks.offer(frame.path("delivery_id").asString(), 5, TimeUnit.SECONDS);
    }
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    if (session.getAttributes().get(FEEDER) instanceof Thread feeder) {
      feeder.interrupt();
    }
  }
}
