package dev.reef.orchestration.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentConfig;
import dev.reef.orchestration.AgentConfigs;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * An agent's configuration: read it, change it (a JSON merge of the settings Reef exposes; anything else is
 * refused by name), list its versions, roll back to one.
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/agents/{agentId}/config")
@Tag(name = "Agents")
class AgentConfigController {

  private final AccessGuard guard;
  private final AgentConfigs configs;

  AgentConfigController(AccessGuard guard, AgentConfigs configs) {
    this.guard = guard;
    this.configs = configs;
  }

  /**
   * @param changed the fields this version changed
   * @param applies on a change: {@code restart} (the running agent was restarted to apply it), {@code next-start},
   *     or {@code none} (nothing changed)
   */
  record ConfigView(int version, AgentConfig config, Instant updatedAt, String updatedBy, List<String> changed,
      String applies) {

    static ConfigView of(AgentConfigs.Version v) {
      return new ConfigView(v.version(), v.config(), v.at(), v.by(), v.changed(), v.applies().isEmpty() ? null
          : v.applies());
    }
  }

  record Versions(List<ConfigView> items) {}

  @GetMapping
  @Operation(summary = "An agent's configuration: model, persona files, tools, heartbeat")
  ConfigView get(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return ConfigView.of(configs.current(tenantId, agentId));
  }

  @PatchMapping
  @Operation(summary = "Change an agent's configuration (a new version; a running agent restarts to apply it)")
  ConfigView change(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @RequestBody JsonNode body) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return ConfigView.of(configs.change(tenantId, agentId, parse(body), caller.actor()));
  }

  @GetMapping("/versions")
  @Operation(summary = "An agent's configuration versions, newest first")
  Versions versions(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @RequestParam(defaultValue = "50") int limit) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return new Versions(configs.history(tenantId, agentId, Math.max(1, Math.min(limit, 200))).stream()
        .map(ConfigView::of).toList());
  }

  @PostMapping("/versions/{version}/rollback")
  @Operation(summary = "Make an earlier configuration version current again (as a new version)")
  ConfigView rollback(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable int version) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return ConfigView.of(configs.rollback(tenantId, agentId, version, caller.actor()));
  }

  /** The body as a change; every key must be a setting, with a value of its type. */
  static AgentConfigs.Change parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new InvalidRequestException("body", "must be a JSON object of settings to change");
    }
    List<String> known = new ArrayList<>(AgentConfigService.FIELDS);
    known.add("clear");
    for (String key : body.propertyNames()) {
      if (!known.contains(key)) {
        throw new InvalidRequestException(key, "is not a setting Reef lets you change; the settings are " + known
            + " (gateway, providers and sandbox settings are Reef's own)");
      }
    }
    return new AgentConfigs.Change(text(body, "model"), persona(body), text(body, "toolProfile"),
        list(body, "toolsAllow"), list(body, "toolsDeny"), text(body, "heartbeatEvery"),
        text(body, "heartbeatModel"), list(body, "clear"));
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw new InvalidRequestException(field, "must be a string");
    }
    return value.asString();
  }

  private static List<String> list(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw new InvalidRequestException(field, "must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isString()) {
        throw new InvalidRequestException(field, "must be a list of strings");
      }
      out.add(item.asString());
    }
    return out;
  }

  /** File name to Markdown; null or "" for a file removes it from Reef's care. */
  private static Map<String, String> persona(JsonNode body) {
    JsonNode value = body.get("persona");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      throw new InvalidRequestException("persona", "must be an object of file name to Markdown text");
    }
    Map<String, String> files = new LinkedHashMap<>();
    for (String name : value.propertyNames()) {
      JsonNode text = value.get(name);
      if (!text.isNull() && !text.isString()) {
        throw new InvalidRequestException("persona." + name, "must be Markdown text (a string), or null to remove");
      }
      files.put(name, text.isNull() ? "" : text.asString());
    }
    return files;
  }
}
