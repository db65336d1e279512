package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.orchestration.Agents;
import java.time.Clock;
import java.time.Duration;
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

/**
 * Chatting with an agent. The page posts a message (with its CSRF token in a header) and reads the reply as a
 * stream of server-sent events, shown as it is produced: {@code status} while a sleeping agent is woken,
 * {@code delta} for each piece of text, then {@code done} or {@code error} with a sentence to show.
 */
@Controller
@RequestMapping("/t/{tenantId}/agents/{agentId}/chat")
class ChatPages {

  static final int MAX_MESSAGE = 100_000;
  private static final long CHAT_TIMEOUT_MILLIS = Duration.ofMinutes(15).toMillis();
  private static final Logger log = LoggerFactory.getLogger(ChatPages.class);

  private final AccessGuard guard;
  private final Navigation navigation;
  private final Agents agents;
  private final Clock clock;

  ChatPages(AccessGuard guard, Navigation navigation, Agents agents, Clock clock) {
    this.guard = guard;
    this.navigation = navigation;
    this.agents = agents;
    this.clock = clock;
  }

  @GetMapping
  String page(@PathVariable TenantId tenantId, @PathVariable UUID agentId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    navigation.tenantPage(model, tenantId, "agents");
    model.addAttribute("agent", AgentView.of(agents.get(tenantId, agentId), clock.instant()));
    return "chat";
  }

  @PostMapping(produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter send(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @RequestParam String message) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    agents.get(tenantId, agentId); // 404 now, not inside the stream
    SseEmitter emitter = new SseEmitter(CHAT_TIMEOUT_MILLIS);
    if (message.isBlank() || message.length() > MAX_MESSAGE) {
      ServerEvents.send(emitter, "error", Map.of("message", "Write a message of at most " + MAX_MESSAGE
          + " characters."));
      emitter.complete();
      return emitter;
    }
    // One conversation per person, so the agent keeps the thread across messages and page loads.
    String session = "dashboard-" + navigation.user().userId();
    Thread.ofVirtual().name("dashboard-chat-" + agentId).start(() -> {
      try {
        agents.chat(tenantId, agentId, message, session, new Agents.ChatListener() {
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
}
