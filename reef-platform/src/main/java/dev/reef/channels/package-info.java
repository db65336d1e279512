/**
 * Chat channels: the Telegram bots (and other chat apps) a tenant connects to its agents. Each channel's
 * credentials are sealed in the secret store and never reach the agent where Reef can stand in for the channel:
 * for Telegram, Reef holds the bot's webhook, keeps each update until the agent has taken it (also while it sleeps,
 * which the update wakes it from), and serves the agent a Bot API of its own that forwards what the agent sends.
 * Orchestration asks for the channels of a starting agent through {@link dev.reef.orchestration.AgentChannels}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Channels")
package dev.reef.channels;
