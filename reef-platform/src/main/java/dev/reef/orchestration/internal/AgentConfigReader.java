package dev.reef.orchestration.internal;

import dev.reef.orchestration.AgentConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an agent's configuration as stored: for a start (the executor) and for the API. The model is always the
 * agent's own (its row), which a configuration change and the agent's model setting both keep.
 */
@Component
final class AgentConfigReader {

  private final AgentConfigRepository configs;
  private final JsonMapper json;

  AgentConfigReader(AgentConfigRepository configs, JsonMapper json) {
    this.configs = configs;
    this.json = json;
  }

  /** The latest version's configuration, or Reef's defaults; call in the tenant's scope. */
  AgentConfig forStart(AgentRow row) {
    return latest(row).map(c -> withModel(parse(c.config()), row.model())).orElseGet(() -> defaults(row));
  }

  Optional<AgentConfigRepository.ConfigRow> latest(AgentRow row) {
    return configs.latest(row.tenantId(), row.id());
  }

  AgentConfig parse(String text) {
    return json.readValue(text, AgentConfig.class);
  }

  String write(AgentConfig config) {
    return json.writeValueAsString(config);
  }

  static AgentConfig defaults(AgentRow row) {
    return new AgentConfig(row.model(), Map.of(), null, List.of(), List.of(), null, null);
  }

  static AgentConfig withModel(AgentConfig config, String model) {
    return new AgentConfig(model, config.persona(), config.toolProfile(), config.toolsAllow(), config.toolsDeny(),
        config.heartbeatEvery(), config.heartbeatModel());
  }
}
