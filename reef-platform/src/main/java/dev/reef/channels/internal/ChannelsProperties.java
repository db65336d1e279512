package dev.reef.channels.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Chat channel settings ({@code REEF_CHANNELS_*}).
 *
 * @param telegramApiRoot where Telegram's Bot API is ({@code https://api.telegram.org}); a test points it at a fake
 * @param slackApiRoot where Slack's Web API is ({@code https://slack.com/api})
 * @param discordApiRoot where Discord's API is ({@code https://discord.com/api/v10})
 * @param discordGatewayUrl where Discord's gateway is until Discord says otherwise ({@code wss://gateway.discord.gg};
 *     Reef's relay dials the address in Discord's latest {@code gateway/bot} answer)
 * @param timeout how long a call to a channel's service may take
 * @param longPollMax the longest Reef holds an agent's {@code getUpdates} open when nothing is waiting
 * @param rememberDelivered how long a delivered update is remembered, so the same update sent again is not taken twice
 * @param wakeAfter how long an update may wait before Reef wakes its sleeping agent again (the first wake is at once)
 */
@ConfigurationProperties("reef.channels")
record ChannelsProperties(String telegramApiRoot, String slackApiRoot, String discordApiRoot,
    java.net.URI discordGatewayUrl, Duration timeout,
    Duration longPollMax, Duration rememberDelivered, Duration wakeAfter) {

  ChannelsProperties {
    telegramApiRoot = telegramApiRoot == null || telegramApiRoot.isBlank() ? "https://api.telegram.org"
        : telegramApiRoot.replaceAll("/+$", "");
    slackApiRoot = slackApiRoot == null || slackApiRoot.isBlank() ? "https://slack.com/api"
        : slackApiRoot.replaceAll("/+$", "");
    discordApiRoot = discordApiRoot == null || discordApiRoot.isBlank() ? "https://discord.com/api/v10"
        : discordApiRoot.replaceAll("/+$", "");
    discordGatewayUrl = discordGatewayUrl == null || discordGatewayUrl.toString().isBlank()
        ? java.net.URI.create("wss://gateway.discord.gg") : discordGatewayUrl;
    timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    longPollMax = longPollMax == null ? Duration.ofSeconds(25) : longPollMax;
    rememberDelivered = rememberDelivered == null ? Duration.ofDays(7) : rememberDelivered;
    wakeAfter = wakeAfter == null ? Duration.ofSeconds(10) : wakeAfter;
  }
}
