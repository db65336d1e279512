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

  /** Slack's Web API for agents, as {@link #telegramRelay} is Telegram's. */
  @Bean
  ServletRegistrationBean<SlackRelayServlet> slackRelay(BearerCredentials credentials, ChannelRepository channels,
      ChannelService service, ChatAppApis slack, TransactionTemplate tx) {
    ServletRegistrationBean<SlackRelayServlet> registration = new ServletRegistrationBean<>(
        new SlackRelayServlet(credentials, channels, service, slack, tx), "/v1/slack/api/*");
    registration.setName("reef-slack-relay");
    return registration;
  }

  /**
   * Where agents take their Slack messages ({@link SlackRelayEndpoint}). A servlet of its own, as the relays above:
   * everything below {@code /v1/} goes to the LLM proxy's servlet, never to Spring MVC's dispatcher, where a
   * WebSocket handler would usually be mapped.
   */
  @Bean
  org.springframework.web.socket.server.support.WebSocketHttpRequestHandler slackRelayHandshake(
      BearerCredentials credentials, ChannelRepository channels, ChannelInbox inbox, TransactionTemplate tx) {
    return new org.springframework.web.socket.server.support.WebSocketHttpRequestHandler(
        new SlackRelayEndpoint(credentials, channels, inbox, tx));
  }

  @Bean
  ServletRegistrationBean<jakarta.servlet.http.HttpServlet> slackRelayEndpoint(
      org.springframework.web.socket.server.support.WebSocketHttpRequestHandler slackRelayHandshake) {
    ServletRegistrationBean<jakarta.servlet.http.HttpServlet> registration = new ServletRegistrationBean<>(
        new jakarta.servlet.http.HttpServlet() {
          @Override
          protected void service(jakarta.servlet.http.HttpServletRequest request,
              jakarta.servlet.http.HttpServletResponse response)
              throws jakarta.servlet.ServletException, java.io.IOException {
            slackRelayHandshake.handleRequest(request, response);
          }
        }, SlackRelayEndpoint.PATH);
    registration.setName("reef-slack-relay-endpoint");
    registration.setAsyncSupported(true);
    return registration;
  }

  /** Slack's events (a message with its blocks and files) outgrow the container's 8 KB default. */
  @Bean
  org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean webSocketContainer() {
    var container = new org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean();
    container.setMaxTextMessageBufferSize(1 << 20);
    container.setMaxSessionIdleTimeout(0L);
    return container;
  }

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
