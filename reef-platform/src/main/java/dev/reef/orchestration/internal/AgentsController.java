package dev.reef.orchestration.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentEvent;
import dev.reef.orchestration.Agents;
import dev.reef.platform.ProblemWriter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/agents")
@Tag(name = "Agents")
class AgentsController {

  private static final long CHAT_TIMEOUT_MILLIS = Duration.ofMinutes(15).toMillis();
  private static final long FOLLOW_TIMEOUT_MILLIS = Duration.ofHours(1).toMillis();
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final AccessGuard guard;
  private final Agents agents;

  AgentsController(AccessGuard guard, Agents agents) {
    this.guard = guard;
    this.agents = agents;
  }

  /** {@code start}: deploy at once (the default), or only create it, stopped. */
  record CreateAgent(@NotBlank @Size(max = 64) String name, @NotBlank @Size(max = 32) String runtime,
      @Size(max = 128) String model, Boolean start) {}

  /** {@code model}: a model the plan allows, or null for the default. */
  record UpdateAgent(@Size(max = 128) String model) {}

  record Chat(@NotBlank @Size(max = 100_000) String message, @Size(max = 128) String session) {}

  /**
   * @param state pending, installing, starting, running, stopping, stopped, crashed or failed
   * @param idle true when stopped for idleness: the next chat wakes it
   * @param model the model chosen for it, or null for its plan's default
   * @param effectiveModel the model it uses: {@code model}, or the default (null when the plan allows none)
   * @param nextRunAt a stopped agent's next scheduled run, which Reef wakes it for (see {@code …/schedule})
   */
  record AgentView(String id, String name, String runtime, String runtimeVersion, String model, String effectiveModel,
      String desiredState, String state, String stateReason, Instant stateChangedAt, String address,
      Instant startedAt, Instant lastActivityAt, boolean idle, Long memoryBytes, Instant createdAt,
      Instant nextRunAt) {
    static AgentView of(Agent a) {
      return new AgentView(a.id().toString(), a.name(), a.runtime(), a.runtimeVersion(), a.model(),
          a.effectiveModel(), a.desired().json(), a.state().name(), a.state().reason(), a.stateChangedAt(),
          a.address(), a.startedAt(), a.lastActivityAt(), a.idle(), a.memoryBytes(), a.createdAt(), a.nextRunAt());
    }
  }

  record AgentList(List<AgentView> items) {}

  record EventList(List<AgentEvent> items) {}

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create an agent and start deploying it")
  AgentView create(@PathVariable TenantId tenantId, @Valid @RequestBody CreateAgent body) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return AgentView.of(agents.create(tenantId, body.name(), body.runtime(), body.model(),
        body.start() == null || body.start(), caller.actor()));
  }

  @GetMapping
  @Operation(summary = "List the tenant's agents with their status")
  AgentList list(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return new AgentList(agents.list(tenantId).stream().map(AgentView::of).toList());
  }

  @GetMapping("/{agentId}")
  @Operation(summary = "An agent's status, address, start time, last activity and memory in use")
  AgentView get(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return AgentView.of(agents.get(tenantId, agentId));
  }

  @PatchMapping("/{agentId}")
  @Operation(summary = "Change an agent's model (from its next start)")
  AgentView update(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @Valid @RequestBody UpdateAgent body) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return AgentView.of(agents.changeModel(tenantId, agentId, body.model(), caller.actor()));
  }

  @DeleteMapping("/{agentId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete an agent: it is stopped now and its files removed after a grace period")
  void delete(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    agents.delete(tenantId, agentId, caller.actor());
  }

  @PostMapping("/{agentId}/start")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Start an agent")
  AgentView start(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return AgentView.of(agents.start(tenantId, agentId, caller.actor()));
  }

  @PostMapping("/{agentId}/stop")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Stop an agent")
  AgentView stop(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return AgentView.of(agents.stop(tenantId, agentId, caller.actor()));
  }

  @PostMapping("/{agentId}/restart")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Restart an agent")
  AgentView restart(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return AgentView.of(agents.restart(tenantId, agentId, caller.actor()));
  }

  @GetMapping("/{agentId}/events")
  @Operation(summary = "The agent's state changes with reasons and times, newest first; or (follow=true) the "
      + "last ones and then each new one as it happens, oldest first, as server-sent events")
  ResponseEntity<?> events(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
      @RequestParam(defaultValue = "false") boolean follow,
      @RequestParam(required = false) @Min(0) Long after) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    if (!follow) {
      return ResponseEntity.ok(new EventList(agents.events(tenantId, agentId, limit)));
    }
    long from = after != null ? after
        : agents.events(tenantId, agentId, limit).stream().mapToLong(AgentEvent::seq).min().orElse(1) - 1;
    SseEmitter emitter = new SseEmitter(FOLLOW_TIMEOUT_MILLIS);
    AtomicReference<AutoCloseable> follower = new AtomicReference<>();
    Runnable stopFollowing = () -> closeQuietly(follower.getAndSet(null));
    emitter.onCompletion(stopFollowing);
    emitter.onTimeout(stopFollowing);
    emitter.onError(e -> stopFollowing.run());
    follower.set(agents.followEvents(tenantId, agentId, from, event -> {
      try {
        if (event == null) {
          emitter.send(SseEmitter.event().name("deleted").data(Map.of("agentId", agentId),
              MediaType.APPLICATION_JSON));
          emitter.complete();
        } else {
          emitter.send(SseEmitter.event().id(Long.toString(event.seq())).name("state").data(event,
              MediaType.APPLICATION_JSON));
        }
      } catch (IOException | IllegalStateException e) {
        stopFollowing.run(); // the client left
      }
    }));
    // A comment now and then: proxies keep the stream open, and a client that left is noticed and let go.
    Thread.ofVirtual().name("agent-events-heartbeat").start(() -> {
      while (follower.get() != null) {
        try {
          Thread.sleep(HEARTBEAT);
          emitter.send(SseEmitter.event().comment("keep-alive"));
        } catch (InterruptedException | IOException | IllegalStateException e) {
          stopFollowing.run();
          return;
        }
      }
    });
    return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // already closed
      }
    }
  }

  // No 'produces': a foreign tenant's route must answer 404 whatever the Accept header says, not 406.
  @GetMapping("/{agentId}/logs")
  @Operation(summary = "The agent's output: the last lines, or (follow=true) a live stream of server-sent events")
  ResponseEntity<?> logs(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(defaultValue = "200") @Min(1) @Max(10000) int tail,
      @RequestParam(defaultValue = "false") boolean follow) throws IOException {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    if (!follow) {
      String text = String.join("\n", agents.logTail(tenantId, agentId, tail));
      return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(text.isEmpty() ? "" : text + "\n");
    }
    List<String> recent = agents.logTail(tenantId, agentId, tail);
    SseEmitter emitter = new SseEmitter(FOLLOW_TIMEOUT_MILLIS);
    for (String line : recent) {
      emitter.send(SseEmitter.event().name("log").data(line));
    }
    AtomicReference<AutoCloseable> follower = new AtomicReference<>();
    Runnable stopFollowing = () -> closeQuietly(follower.getAndSet(null));
    emitter.onCompletion(stopFollowing);
    emitter.onTimeout(stopFollowing);
    emitter.onError(e -> stopFollowing.run());
    follower.set(agents.followLogs(tenantId, agentId, line -> {
      try {
        emitter.send(SseEmitter.event().name("log").data(line));
      } catch (IOException | IllegalStateException e) {
        stopFollowing.run(); // the client left
      }
    }));
    return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
  }

  /**
   * Chat with the agent. The reply streams as server-sent events: {@code status} (when the agent is being woken),
   * {@code delta} ({@code {"text": ...}}) as it is produced, then {@code done} or {@code error} (a problem object).
   */
  @PostMapping("/{agentId}/chat")
  @Operation(summary = "Chat with the agent; the reply streams as server-sent events; a stopped agent is woken")
  SseEmitter chat(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @Valid @RequestBody Chat body) {
    guard.require(tenantId, TenantPermission.AGENTS_CHAT);
    agents.get(tenantId, agentId); // 404 now, not inside the stream
    SseEmitter emitter = new SseEmitter(CHAT_TIMEOUT_MILLIS);
    Thread.ofVirtual().name("chat-" + agentId).start(() -> {
      try {
        agents.chat(tenantId, agentId, body.message(), body.session(), new Agents.ChatListener() {
          @Override
          public void waking(String state) {
            send(emitter, "status", Map.of("state", state, "message", "waking the agent"));
          }

          @Override
          public void delta(String text) {
            send(emitter, "delta", Map.of("text", text));
          }

          @Override
          public void done() {
            send(emitter, "done", Map.of());
          }
        });
        emitter.complete();
      } catch (ProblemException e) {
        send(emitter, "error", ProblemWriter.toDetail(e, null));
        emitter.complete();
      } catch (RuntimeException e) {
        emitter.completeWithError(e);
      }
    });
    return emitter;
  }

  private static void send(SseEmitter emitter, String name, Object data) {
    try {
      emitter.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
    } catch (IOException | IllegalStateException e) {
      // the client went away; the agent's work is already paid for and recorded
    }
  }
}
