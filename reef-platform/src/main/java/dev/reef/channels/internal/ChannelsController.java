package dev.reef.channels.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.channels.Channels;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** An agent's chat channels: list them, connect one (or change it), disconnect it. Credentials are never returned. */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/agents/{agentId}/channels")
@Tag(name = "Channels")
class ChannelsController {

  private static final List<String> FIELDS = List.of("botToken", "appToken", "dmPolicy", "allowFrom");

  private final AccessGuard guard;
  private final Channels channels;

  ChannelsController(AccessGuard guard, Channels channels) {
    this.guard = guard;
    this.channels = channels;
  }

  record ChannelList(List<Channels.Channel> items) {}

  @GetMapping
  @Operation(summary = "An agent's channels, connected or not, with their status")
  ChannelList list(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return new ChannelList(channels.list(tenantId, agentId));
  }

  @GetMapping("/{type}")
  @Operation(summary = "One channel of an agent: status, bot, who may write, last message")
  Channels.Channel get(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable String type) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return channels.get(tenantId, agentId, type);
  }

  @PutMapping("/{type}")
  @Operation(summary = "Connect a channel to an agent, or change its settings (the token is checked first)")
  Channels.Channel connect(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable String type,
      @RequestBody JsonNode body) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return channels.connect(tenantId, agentId, type, parse(body), caller.actor());
  }

  @DeleteMapping("/{type}")
  @Operation(summary = "Disconnect a channel: its webhook, credentials and waiting updates are removed")
  Channels.Channel disconnect(@PathVariable TenantId tenantId, @PathVariable UUID agentId,
      @PathVariable String type) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return channels.disconnect(tenantId, agentId, type, caller.actor());
  }

  static Channels.Connection parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new InvalidRequestException("body", "must be a JSON object: {botToken, appToken (Slack), dmPolicy, "
          + "allowFrom}");
    }
    for (String key : body.propertyNames()) {
      if (!FIELDS.contains(key)) {
        throw new InvalidRequestException(key, "is not a channel setting; the settings are " + FIELDS);
      }
    }
    return new Channels.Connection(text(body, "botToken"), text(body, "appToken"), text(body, "dmPolicy"),
        list(body, "allowFrom"));
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

  /** Numbers are accepted too: Telegram user ids are numbers. */
  private static List<String> list(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw new InvalidRequestException(field, "must be a list of user ids");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isString() && !item.isIntegralNumber()) {
        throw new InvalidRequestException(field, "must be a list of user ids");
      }
      out.add(item.asString());
    }
    return out;
  }
}
