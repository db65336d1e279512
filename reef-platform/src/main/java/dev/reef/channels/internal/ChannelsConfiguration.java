package dev.reef.channels.internal;

import dev.reef.access.BearerCredentials;
import dev.reef.secrets.SecretStore;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChannelsProperties.class)
class ChannelsConfiguration {

  /**
   * Reef's Bot API for agents, below the LLM proxy's path ({@code /v1/*}): the one path an agent's door lets
   * through, so a sandboxed agent reaches it the way it reaches the proxy. The longer mapping wins over the proxy's.
   */
  @Bean
  ServletRegistrationBean<TelegramRelayServlet> telegramRelay(BearerCredentials credentials,
      ChannelRepository channels, ChannelInbox inbox, TelegramBotApi telegram, SecretStore secrets,
      TransactionTemplate tx, Clock clock) {
    ServletRegistrationBean<TelegramRelayServlet> registration = new ServletRegistrationBean<>(
        new TelegramRelayServlet(credentials, channels, inbox, telegram, secrets, tx, clock), "/v1/telegram/*");
    registration.setName("reef-telegram-relay");
    return registration;
  }
}
