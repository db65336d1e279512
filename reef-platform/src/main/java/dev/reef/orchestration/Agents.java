package dev.reef.orchestration;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Tenants' agents, for the API and the dashboard. Every method takes the tenant first; another tenant's agent is
 * not found. Callers check access (the guard) before calling.
 */
public interface Agents {

  /**
   * Creates an agent and, when {@code start}, starts deploying it; refused when the plan's {@code maxAgents} is
   * reached.
   */
  Agent create(TenantId tenantId, String name, String runtime, String model, boolean start, Actor actor);

  List<Agent> list(TenantId tenantId);

  Agent get(TenantId tenantId, UUID agentId);

  /** Stops it; its files are removed after the grace period. It disappears from the API at once. */
  void delete(TenantId tenantId, UUID agentId, Actor actor);

  Agent start(TenantId tenantId, UUID agentId, Actor actor);

  Agent stop(TenantId tenantId, UUID agentId, Actor actor);

  Agent restart(TenantId tenantId, UUID agentId, Actor actor);

  /** Changes the model (null: the default); it applies from the next start. */
  Agent changeModel(TenantId tenantId, UUID agentId, String model, Actor actor);

  /**
   * Something arrived for the agent on its own (a channel's message, a scheduled run): a sleeping agent (stopped
   * by the idle timer) is woken, without waiting for it; a running one counts it as activity. Returns whether the
   * agent is running or on its way; false when a person stopped it or it has failed (it stays so), or it is gone.
   */
  boolean wake(TenantId tenantId, UUID agentId, String why);

  List<AgentEvent> events(TenantId tenantId, UUID agentId, int limit);

  /**
   * Sends the agent's events after {@code afterSeq} (0: all), oldest first, then each new one as it is recorded,
   * until the returned handle is closed; {@code null} once the agent is deleted, after its last events.
   */
  AutoCloseable followEvents(TenantId tenantId, UUID agentId, long afterSeq, Consumer<AgentEvent> sink);

  List<String> logTail(TenantId tenantId, UUID agentId, int lines) throws IOException;

  AutoCloseable followLogs(TenantId tenantId, UUID agentId, Consumer<String> sink) throws IOException;

  /**
   * Sends a message to the agent's own chat endpoint and streams the reply as it is produced. A stopped agent is
   * woken first and the message held until it is ready (or the wake times out, which is a clear error).
   */
  void chat(TenantId tenantId, UUID agentId, String message, String session, ChatListener listener);

  /** Receives a chat's progress. */
  interface ChatListener {
    /** The agent is not running; it is being woken. */
    void waking(String state);

    void delta(String text);

    void done();
  }
}
