package dev.reef.orchestration.internal;

import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.gateway.LlmActivity;
import dev.reef.orchestration.AgentRuntime;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents.ChatListener;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.Placement;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat with an agent: wakes it first when it sleeps (and waits, within {@code REEF_AGENT_WAKE_TIMEOUT}), sends the
 * message to the agent's own chat endpoint through {@link AgentHttp} with its gateway token, and relays the streamed
 * reply as text deltas. While it runs the agent counts as busy ({@link ChatsInFlight}): it is neither stopped for
 * idleness nor moved to another runtime version mid-reply.
 */
@Component
final class AgentChats {

  /** The longest one chat exchange may take, the agent's whole streamed answer included. */
  private static final Duration CHAT_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration OTHER_REPLICAS_POLL = Duration.ofMillis(500);
  private static final Duration WATCH_EVERY = Duration.ofMillis(250);

  private final AgentRepository agents;
  private final AgentReconciler reconciler;
  private final Runtimes runtimes;
  private final SecretStore secrets;
  private final OrchestrationProperties properties;
  private final StateChanges changes;
  private final AgentHttp http;
  private final ChatsInFlight chatsInFlight;
  private final LlmActivity activity;
  private final TransactionTemplate tx;
  private final JsonMapper json;
  private final Clock clock;

  AgentChats(AgentRepository agents, AgentReconciler reconciler, Runtimes runtimes, SecretStore secrets,
      OrchestrationProperties properties, StateChanges changes, AgentHttp http, ChatsInFlight chatsInFlight,
      LlmActivity activity, TransactionTemplate tx, JsonMapper json, Clock clock) {
    this.activity = activity;
    this.agents = agents;
    this.reconciler = reconciler;
    this.runtimes = runtimes;
    this.secrets = secrets;
    this.properties = properties;
    this.changes = changes;
    this.http = http;
    this.chatsInFlight = chatsInFlight;
    this.tx = tx;
    this.json = json;
    this.clock = clock;
  }

  void chat(TenantId tenantId, UUID agentId, String message, String session, ChatListener listener) {
    AgentRow row = awake(tenantId, agentId, listener);
    AgentRuntime runtime = runtimes.find(row.runtime()).orElseThrow();
    Placement placement = reconciler.placement(row);
    String gatewayToken = inTenant(tenantId, () -> secrets.reveal(new SecretRef(row.gatewayTokenSecret())));
    touch(tenantId, agentId);
    try (ChatsInFlight.Chat counted = chatsInFlight.begin(agentId)) {
      relayChat(row, runtime, placement, gatewayToken, message, session, listener);
    } finally {
      touch(tenantId, agentId);
    }
    listener.done();
  }

  private void relayChat(AgentRow row, AgentRuntime runtime, Placement placement, String gatewayToken,
      String message, String session, ChatListener listener) {
    // The agent retries failed model calls on its own (OpenClaw for a minute and more) while the person sees a
    // blinking cursor: this watcher ends the chat, with the reason, once its calls failed often enough.
    Instant since = clock.instant();
    Thread chat = Thread.currentThread();
    java.util.concurrent.atomic.AtomicReference<List<LlmActivity.Failure>> gaveUp =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread watcher = Thread.ofVirtual().name("chat-watch-" + row.id()).start(() -> {
      try {
        while (true) {
          Thread.sleep(WATCH_EVERY);
          List<LlmActivity.Failure> failures = activity.failuresSince(row.id(), since);
          if (failures.size() >= properties.chatGiveUpAfterFailures()) {
            gaveUp.set(failures);
            chat.interrupt();
            return;
          }
        }
      } catch (InterruptedException done) {
        // the chat ended first
      }
    });
    try {
      relayChatWatched(row, runtime, placement, gatewayToken, message, session, listener, since);
    } catch (ProblemException e) {
      if (gaveUp.get() != null) {
        throw modelFailing(gaveUp.get(), since);
      }
      throw e;
    } finally {
      watcher.interrupt();
      try {
        watcher.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (gaveUp.get() != null) {
        Thread.interrupted(); // the watcher's interrupt was for the call it ended, not for the caller
      }
    }
  }

  /**
   * What the person is told when the agent's model calls fail: what happened, whose key, and what they can do; a
   * platform key's failure is the operator's to fix, a tenant's own key's is theirs.
   */
  private ProblemException modelFailing(List<LlmActivity.Failure> failures, Instant since) {
    LlmActivity.Failure last = failures.getLast();
    long seconds = Math.max(1, java.time.Duration.between(since, clock.instant()).toSeconds());
    String what = failures.size() + " of the agent's model calls failed in " + seconds + " s (last: HTTP "
        + last.status() + ", " + last.message() + ")";
    String advice;
    if (last.byok() && (last.status() == 401 || last.status() == 403 || last.message().contains("HTTP 401")
        || last.message().contains("HTTP 403"))) {
      advice = "The provider refused your own provider key: check it under Settings, Provider keys.";
    } else if (last.status() == 429) {
      advice = "The provider is rate limiting" + (last.byok() ? " your own key" : "") + ": try again in a minute.";
    } else if (last.byok()) {
      advice = "The calls used your own provider key: check your provider's status and the key under Settings, "
          + "Provider keys; then try again.";
    } else {
      advice = "It is the model's provider, not your agent: try again in a few minutes; if it keeps failing, tell "
          + "your operator.";
    }
    return new ProblemException(ProblemType.AGENT_UNAVAILABLE, what + ". " + advice)
        .with("retryAfterSeconds", 60);
  }

  private void relayChatWatched(AgentRow row, AgentRuntime runtime, Placement placement, String gatewayToken,
      String message, String session, ChatListener listener, Instant since) {
    Map<String, Object> body = Map.of("model", runtime.chatModel(), "stream", true,
        "user", session == null || session.isBlank() ? "reef-chat" : session,
        "messages", List.of(Map.of("role", "user", "content", message)));
    Map<String, String> headers = Map.of("Authorization", "Bearer " + gatewayToken,
        "Content-Type", "application/json", "Accept", "text/event-stream");
    try (AgentHttp.Streamed response = http.post(placement, runtime.chatPath(), headers,
        json.writeValueAsBytes(body), CHAT_TIMEOUT)) {
      InputStream in = response.body();
      if (response.status() != 200) {
        List<LlmActivity.Failure> failures = activity.failuresSince(row.id(), since);
        if (!failures.isEmpty()) {
          throw modelFailing(failures, since); // the agent passed its model's failure on: say what it means
        }
        String detail = new String(in.readNBytes(2000), StandardCharsets.UTF_8);
        throw new ProblemException(ProblemType.AGENT_UNAVAILABLE,
            "The agent answered HTTP " + response.status() + ": " + detail);
      }
      relay(in, listener);
    } catch (IOException e) {
      throw new ProblemException(ProblemType.AGENT_UNAVAILABLE, "Could not reach the agent: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProblemException(ProblemType.AGENT_UNAVAILABLE, "Interrupted while talking to the agent.");
    }
  }

  /** Streams the agent's OpenAI-style chunks to the listener as plain text deltas. */
  private void relay(InputStream in, ChatListener listener) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line; (line = reader.readLine()) != null; ) {
      if (!line.startsWith("data:")) {
        continue;
      }
      String data = line.substring(5).trim();
      if (data.equals("[DONE]")) {
        return;
      }
      try {
        JsonNode chunk = json.readTree(data);
        if (chunk.has("error")) {
          throw new ProblemException(ProblemType.AGENT_UNAVAILABLE,
              "The agent failed: " + chunk.path("error").path("message").asString("unknown error"));
        }
        for (JsonNode choice : chunk.path("choices")) {
          String text = choice.path("delta").path("content").asString("");
          if (text.isEmpty()) {
            text = choice.path("message").path("content").asString("");
          }
          if (!text.isEmpty()) {
            listener.delta(text);
          }
        }
      } catch (JacksonException e) {
        // not JSON: skip it, as SSE clients do with unknown lines
      }
    }
  }

  /** The agent, running: woken (and waited for) if it was stopped. */
  private AgentRow awake(TenantId tenantId, UUID agentId, ChatListener listener) {
    AgentRow row = row(tenantId, agentId);
    if (row.desired() == DesiredState.RUNNING && row.state() instanceof AgentState.Running) {
      return row;
    }
    if (row.state() instanceof AgentState.Failed failed && row.desired() == DesiredState.RUNNING) {
      throw new ProblemException(ProblemType.AGENT_UNAVAILABLE, "The agent has failed: " + failed.reason()
          + ". Start it again once the cause is fixed.");
    }
    inTenant(tenantId, () -> {
      agents.setDesired(tenantId, agentId, DesiredState.RUNNING, clock.instant());
      return null;
    });
    reconciler.nudge(agentId, tenantId);
    listener.waking(row.state().name());
    Instant deadline = clock.instant().plus(properties.wakeTimeout());
    while (clock.instant().isBefore(deadline)) {
      StateChanges.Ticket next = changes.ticket(agentId);
      AgentRow now = row(tenantId, agentId);
      switch (now.state()) {
        case AgentState.Running r -> {
          return now;
        }
        case AgentState.Failed f -> throw new ProblemException(ProblemType.AGENT_UNAVAILABLE,
            "The agent could not be started: " + f.reason());
        default -> awaitChange(next);
      }
    }
    throw new ProblemException(ProblemType.AGENT_UNAVAILABLE, "The agent did not wake within "
        + properties.wakeTimeout().toSeconds() + " s (REEF_AGENT_WAKE_TIMEOUT); it is "
        + row(tenantId, agentId).state().name() + ": " + row(tenantId, agentId).state().reason())
        .with("retryAfterSeconds", 10);
  }

  private void touch(TenantId tenantId, UUID agentId) {
    inTenant(tenantId, () -> {
      agents.touch(tenantId, agentId, clock.instant());
      return null;
    });
  }

  private AgentRow row(TenantId tenantId, UUID agentId) {
    return inTenant(tenantId, () -> agents.findLive(tenantId, agentId))
        .orElseThrow(() -> new NotFoundException("agent", agentId.toString()));
  }

  private <T> T inTenant(TenantId tenantId, java.util.function.Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }

  private static void awaitChange(StateChanges.Ticket next) {
    try {
      next.await(OTHER_REPLICAS_POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProblemException(ProblemType.AGENT_UNAVAILABLE, "Interrupted.");
    }
  }
}
