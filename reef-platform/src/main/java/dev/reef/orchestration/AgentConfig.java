package dev.reef.orchestration;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a tenant shapes of its agent, versioned by {@link AgentConfigs}; Reef renders the runtime's own
 * configuration from it at each start, around the settings Reef owns (gateway auth, the model provider pointing at
 * Reef's proxy, sandbox paths), which nothing here can override.
 *
 * @param model the model the agent uses (one its plan allows); null: the operator's default
 * @param persona the workspace files OpenClaw loads into every session, by name ({@link #PERSONA_FILES}), as
 *     Markdown; a file not named here is left as the agent keeps it
 * @param toolProfile OpenClaw's base tool set: {@code minimal}, {@code coding}, {@code messaging} or {@code full};
 *     null: OpenClaw's default (every core tool)
 * @param toolsAllow and {@code toolsDeny}: tools or tool groups ({@code group:web}) added to or taken from it
 * @param heartbeatEvery how often the agent runs on its own ({@code 30m}, {@code 2h}); {@code 0m} or null: never
 *     (Reef's default: a heartbeat is a model call billed while nobody uses the agent)
 * @param heartbeatModel the (cheaper) model heartbeats and scheduled runs use; null: the agent's model
 */
public record AgentConfig(String model, Map<String, String> persona, String toolProfile, List<String> toolsAllow,
    List<String> toolsDeny, String heartbeatEvery, String heartbeatModel) {

  /** The persona files a tenant may set, as OpenClaw names them (docs/concepts/agent-workspace.md). */
  public static final List<String> PERSONA_FILES = List.of("SOUL.md", "AGENTS.md", "USER.md", "IDENTITY.md");

  public static final List<String> TOOL_PROFILES = List.of("minimal", "coding", "messaging", "full");

  public static final AgentConfig DEFAULTS = new AgentConfig(null, Map.of(), null, List.of(), List.of(), null, null);

  public AgentConfig {
    persona = persona == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(persona));
    toolsAllow = toolsAllow == null ? List.of() : List.copyOf(toolsAllow);
    toolsDeny = toolsDeny == null ? List.of() : List.copyOf(toolsDeny);
  }

  /** Whether the agent runs heartbeats at all. */
  public boolean heartbeats() {
    return heartbeatEvery != null && !heartbeatEvery.matches("0+(ms|s|m|h)");
  }
}
