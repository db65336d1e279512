package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.conversations.Conversations;
import dev.reef.orchestration.Agents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Chatting with an agent, in conversations the person keeps: the page lists them (each with what its replies
 * cost), shows the open one's transcript, and starts new ones. A message is posted (with its CSRF token in a header)
 * and the reply read as server-sent events, shown as it is produced: {@code conversation} first (the id of a
 * conversation the message started), {@code status} while a sleeping agent is woken, {@code delta} for each piece
 * of text, then {@code done} or {@code error} with a sentence to show.
 */
@Controller
@RequestMapping("/t/{tenantId}/agents/{agentId}/chat")
class ChatPages {

  private static final long CHAT_TIMEOUT_MILLIS = Duration.ofMinutes(15).toMillis();
  private static final int LISTED = 50;
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM HH:mm").withZone(ZoneOffset.UTC);
  private static final Logger log = LoggerFactory.getLogger(ChatPages.class);

  private final AccessGuard guard;
  private final Navigation navigation;
  private final Agents agents;
  private final Conversations conversations;
  private final Clock clock;

  ChatPages(AccessGuard guard, Navigation navigation, Agents agents, Conversations conversations, Clock clock) {
    this.guard = guard;
    this.navigation = navigation;
    this.agents = agents;
    this.conversations = conversations;
    this.clock = clock;
  }

  /** The person's latest conversation, or a fresh page when there is none yet. */
  @GetMapping
  String latest(@PathVariable TenantId tenantId, @PathVariable UUID agentId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    List<Conversations.Conversation> list = conversations.list(tenantId, agentId, me(), LISTED);
    if (!list.isEmpty()) {
      return "redirect:/t/" + tenantId + "/agents/" + agentId + "/chat/" + list.getFirst().id();
    }
    return page(tenantId, agentId, list, null, model);
  }

  @GetMapping("/{conversationId}")
  String conversation(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @PathVariable UUID conversationId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    Conversations.Transcript transcript = conversations.open(tenantId, agentId, me(), conversationId);
    return page(tenantId, agentId, conversations.list(tenantId, agentId, me(), LISTED), transcript, model);
  }

  /** "New conversation": an empty one (the latest, if that is still empty), opened. */
  @PostMapping("/conversations")
  String start(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    UUID id = conversations.start(tenantId, agentId, me()).id();
    return "redirect:/t/" + tenantId + "/agents/" + agentId + "/chat/" + id;
  }

  @PostMapping("/{conversationId}/delete")
  String delete(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable UUID conversationId,
      RedirectAttributes flash) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    conversations.delete(tenantId, agentId, me(), conversationId);
    flash.addFlashAttribute("notice", "The conversation was deleted.");
    return "redirect:/t/" + tenantId + "/agents/" + agentId + "/chat";
  }

  /** A message that starts a new conversation. */
  @PostMapping(produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter sendNew(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(required = false) String message) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    return send(tenantId, agentId, null, message);
  }

  @PostMapping(path = "/{conversationId}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter sendIn(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable UUID conversationId,
      @RequestParam(required = false) String message) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    return send(tenantId, agentId, conversationId, message);
  }

  private SseEmitter send(TenantId tenantId, UUID agentId, UUID conversationId, String message) {
    SseEmitter emitter = new SseEmitter(CHAT_TIMEOUT_MILLIS);
    if (message == null || message.isBlank() || message.length() > Conversations.MAX_MESSAGE) {
      agents.get(tenantId, agentId); // another tenant's agent is 404 whatever the message
      ServerEvents.send(emitter, "error", Map.of("message", "Write a message of at most "
          + Conversations.MAX_MESSAGE + " characters."));
      emitter.complete();
      return emitter;
    }
    // kept before the stream starts: a 404 or a refusal is a plain answer, and the message is safe from here on
    Conversations.Exchange exchange = conversations.say(tenantId, agentId, me(), conversationId, message);
    ServerEvents.send(emitter, "conversation", Map.of("id", exchange.conversationId().toString(),
        "url", "/t/" + tenantId + "/agents/" + agentId + "/chat/" + exchange.conversationId()));
    Thread.ofVirtual().name("dashboard-chat-" + agentId).start(() -> {
      try {
        conversations.reply(exchange, new Agents.ChatListener() {
          @Override
          public void waking(String state) {
            ServerEvents.send(emitter, "status", Map.of("state", state));
          }

          @Override
          public void delta(String text) {
            ServerEvents.send(emitter, "delta", Map.of("text", text));
          }

          @Override
          public void done() {
            ServerEvents.send(emitter, "done", Map.of());
          }
        });
      } catch (ProblemException e) {
        ServerEvents.send(emitter, "error", Map.of("message", e.detail()));
      } catch (RuntimeException e) {
        log.error("Chat with agent {} failed", agentId, e);
        ServerEvents.send(emitter, "error", Map.of("message", "Reef could not finish this reply; try again."));
      }
      emitter.complete();
    });
    return emitter;
  }

  private String page(TenantId tenantId, UUID agentId, List<Conversations.Conversation> list,
      Conversations.Transcript open, Model model) {
    navigation.tenantPage(model, tenantId, "agents");
    Instant now = clock.instant();
    model.addAttribute("agent", AgentView.of(agents.get(tenantId, agentId), now));
    model.addAttribute("conversations", list.stream().map(ChatPages::listed).toList());
    model.addAttribute("open", open == null ? null : listed(open.conversation()));
    model.addAttribute("messages", open == null ? List.of() : open.messages().stream().map(m -> new MessageView(
        m.role().name().toLowerCase(), m.text(), WHEN.format(m.at()), m.spend() == null ? null : cost(m.spend())))
        .toList());
    return "chat";
  }

  private UserId me() {
    return navigation.user().userId();
  }

  /** One conversation in the list: {@code cost} reads e.g. "$0.0012 · 3 model calls". */
  record ListedView(String id, String title, String when, int messages, String cost) {}

  record MessageView(String role, String text, String when, String cost) {}

  private static ListedView listed(Conversations.Conversation c) {
    return new ListedView(c.id().toString(), c.title(), WHEN.format(c.lastMessageAt()), c.messages(),
        cost(c.spend()));
  }

  private static String cost(Conversations.Spend spend) {
    return UsageCharts.Unit.USD.format(spend.costUsd()) + " · " + spend.modelCalls()
        + (spend.modelCalls() == 1 ? " model call" : " model calls");
  }
}
