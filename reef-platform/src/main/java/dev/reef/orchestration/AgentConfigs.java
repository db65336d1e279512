package dev.reef.orchestration;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Agents' configuration, versioned: every change is a new version (who, when, which fields), any version can be
 * rolled back to (as a new version), and each is audited. A running agent is restarted to apply a change.
 */
public interface AgentConfigs {

  /** The agent's configuration now (version 0: never changed, Reef's defaults with the agent's model). */
  Version current(TenantId tenantId, UUID agentId);

  /**
   * Applies a change: each field the change names replaces the current one ({@link Change}); checked first, so a
   * refused change leaves the last good configuration in force.
   *
   * @throws dev.reef.common.InvalidRequestException naming the field (a model the plan does not allow, a persona
   *     file too large or not one of {@link AgentConfig#PERSONA_FILES}, an unknown tool profile, …)
   */
  Version change(TenantId tenantId, UUID agentId, Change change, Actor actor);

  /** The versions, newest first. */
  List<Version> history(TenantId tenantId, UUID agentId, int limit);

  /** Makes an earlier version's configuration current again, as a new version. */
  Version rollback(TenantId tenantId, UUID agentId, int version, Actor actor);

  /**
   * What a change sets; a null field is left as it is. {@code persona} sets each file it names, and removes from
   * Reef's care each one it maps to an empty text. {@code clear} names fields to reset to the default.
   */
  record Change(String model, Map<String, String> persona, String toolProfile, List<String> toolsAllow,
      List<String> toolsDeny, String heartbeatEvery, String heartbeatModel, List<String> clear) {}

  /**
   * @param changed the fields this version changed from the one before
   * @param applies what applying it took: {@code restart} (the agent was running), {@code next-start}, or
   *     {@code none} (nothing changed)
   */
  record Version(int version, AgentConfig config, Instant at, String by, List<String> changed, String applies) {}
}
