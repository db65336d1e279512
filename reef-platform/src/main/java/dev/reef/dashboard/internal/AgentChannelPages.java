package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.channels.Channels;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.orchestration.Agents;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * An agent's chat channels: connect a Telegram bot (with the steps to get its token and one's own user id), see
 * whether it works and when it last heard from someone, change who may write, disconnect.
 */
@Controller
@RequestMapping("/t/{tenantId}/agents/{agentId}/channels")
class AgentChannelPages {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);
  private static final Map<String, String> LABELS = Map.of("botToken", "Bot token", "appToken", "App-level token",
      "allowFrom", "Who may write (user ids)", "dmPolicy", "Who may write");

  private final AccessGuard guard;
  private final Navigation navigation;
  private final Agents agents;
  private final Channels channels;
  private final Clock clock;

  AgentChannelPages(AccessGuard guard, Navigation navigation, Agents agents, Channels channels, Clock clock) {
    this.guard = guard;
    this.navigation = navigation;
    this.agents = agents;
    this.channels = channels;
    this.clock = clock;
  }

  /** A channel as the page shows it. */
  record ChannelCard(Channels.Channel channel, String label, String lastMessage, String connectedAt,
      String allowFrom) {}

  private static final Map<String, String> NAMES = Map.of("telegram", "Telegram", "slack", "Slack", "discord",
      "Discord");

  @GetMapping
  String page(@PathVariable TenantId tenantId, @PathVariable UUID agentId, Model model) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    navigation.tenantPage(model, tenantId, "agents");
    model.addAttribute("agent", AgentView.of(agents.get(tenantId, agentId), clock.instant()));
    model.addAttribute("canManage", navigation.allows(tenantId, TenantPermission.AGENTS_MANAGE));
    model.addAttribute("cards", channels.list(tenantId, agentId).stream().map(c -> new ChannelCard(c,
        NAMES.getOrDefault(c.type(), c.type()), c.lastMessageAt() == null ? null : WHEN.format(c.lastMessageAt()),
        c.connectedAt() == null ? null : WHEN.format(c.connectedAt()), String.join(", ", c.allowFrom()))).toList());
    return "agent-channels";
  }

  @PostMapping("/{type}")
  String connect(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable String type,
      @RequestParam(required = false) String botToken, @RequestParam(required = false) String appToken,
      @RequestParam(defaultValue = "allowlist") String dmPolicy, @RequestParam(required = false) String allowFrom,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    List<String> ids = allowFrom == null ? List.of() : Arrays.stream(allowFrom.split("[,\\s]+"))
        .filter(s -> !s.isBlank()).toList();
    String token = botToken == null || botToken.isBlank() ? null : botToken.strip();
    String app = appToken == null || appToken.isBlank() ? null : appToken.strip();
    String name = NAMES.getOrDefault(type, type);
    try {
      Channels.Channel connected = channels.connect(tenantId, agentId, type,
          new Channels.Connection(token, app, dmPolicy, ids), caller.actor());
      flash.addFlashAttribute("notice", name + " is connected to " + connected.botName() + "."
          + switch (connected.applies()) {
            case "restart" -> " The agent is restarting to pick it up.";
            case "next-start" -> " The agent picks it up when it next starts; a message starts it if it sleeps.";
            default -> "";
          });
    } catch (ProblemException e) {
      if (e.type() == ProblemType.NOT_FOUND) {
        throw e;
      }
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), LABELS));
    }
    return "redirect:/t/" + tenantId + "/agents/" + agentId + "/channels";
  }

  @PostMapping("/{type}/disconnect")
  String disconnect(@PathVariable TenantId tenantId, @PathVariable UUID agentId, @PathVariable String type,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    channels.disconnect(tenantId, agentId, type, caller.actor());
    flash.addFlashAttribute("notice", NAMES.getOrDefault(type, type)
        + " is disconnected: the bot no longer reaches the agent.");
    return "redirect:/t/" + tenantId + "/agents/" + agentId + "/channels";
  }
}
