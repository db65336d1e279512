package dev.reef.orchestration;

import java.util.List;

/**
 * A chat channel an agent's runtime connects at its start, as Reef hands it over: who may write to the agent, and
 * what the runtime needs to reach the channel. Implemented by the {@code channels} module through
 * {@link AgentChannels}.
 */
public sealed interface AgentChannel {

  /** {@code allowlist} (only {@link #allowFrom()}) or {@code open} (anyone who finds the bot). */
  String dmPolicy();

  /** The channel's user ids that may write to the agent directly. */
  List<String> allowFrom();

  /**
   * Whether the agent itself holds a connection to the channel (Slack's Socket Mode, Discord's gateway): nothing
   * can reach a sleeping agent then, so it is kept awake while the channel is connected.
   */
  default boolean holdsConnection() {
    return false;
  }

  /**
   * Telegram, through Reef: the runtime talks to Reef's Bot API ({@code <proxy base URL>/telegram}), never to
   * Telegram, and authenticates there with {@code <botId>:<its agent token>}. Reef takes updates in on its webhook,
   * keeps them until the agent has them, and forwards what the agent sends with the real bot token, which never
   * enters the agent.
   *
   * @param botId the bot's numeric id (the first part of a Telegram bot token)
   */
  record Telegram(String botId, String dmPolicy, List<String> allowFrom) implements AgentChannel {
    public Telegram {
      allowFrom = List.copyOf(allowFrom);
    }
  }

  /**
   * Slack, through Reef: Reef holds the app's Socket Mode connection and keeps its messages until the agent takes
   * them ({@code <proxy base URL>/slack/relay}, OpenClaw's Slack relay mode, with its agent token), so a message
   * wakes a sleeping agent as Telegram's do; the agent calls Reef's copy of Slack's Web API
   * ({@code <proxy base URL>/slack/api/}) with stand-in tokens, and Reef forwards each call with the real token,
   * which never enters the agent.
   */
  record Slack(String dmPolicy, List<String> allowFrom) implements AgentChannel {

    /** What the bot and app-level tokens given to an agent start with; its agent token follows. */
    public static final String BOT_STAND_IN = "xoxb-reef-";
    public static final String APP_STAND_IN = "xapp-reef-";

    public Slack {
      allowFrom = List.copyOf(allowFrom);
    }
  }

  /**
   * Discord, through Reef: the agent holds Discord's gateway connection (nothing reaches a sleeping agent, so it is
   * kept awake), but both the connection and Discord's REST API go through Reef ({@code <proxy base URL>/discord/},
   * where OpenClaw's Discord plugin is pointed by {@code DISCORD_API_URL}). The agent holds a stand-in token
   * ({@link #standInToken}); Reef puts the bot's real token in its place on each call and in the gateway's
   * IDENTIFY, so the real token never enters the agent.
   *
   * @param applicationId the bot's application id, which Discord's tokens begin with (base64) and OpenClaw reads
   */
  record Discord(String applicationId, String dmPolicy, List<String> allowFrom) implements AgentChannel {

    /** What a stand-in token has where a real token has its timestamp: the agent's token follows. */
    public static final String STAND_IN_MARK = ".reef.";

    public Discord {
      allowFrom = List.copyOf(allowFrom);
    }

    /**
     * The token an agent is given: shaped as Discord's ({@code base64(application id).….…}), so OpenClaw finds the
     * bot's id in it as in a real one, with the agent's own token as its last part.
     */
    public static String standInToken(String applicationId, String agentToken) {
      return java.util.Base64.getEncoder().withoutPadding().encodeToString(applicationId.getBytes(
          java.nio.charset.StandardCharsets.US_ASCII)) + STAND_IN_MARK + agentToken;
    }

    /** The agent token in a stand-in token, or empty when it is not one. */
    public static String agentTokenOf(String standInToken) {
      int mark = standInToken.indexOf(STAND_IN_MARK);
      return mark <= 0 ? "" : standInToken.substring(mark + STAND_IN_MARK.length());
    }

    @Override
    public boolean holdsConnection() {
      return true;
    }
  }
}
