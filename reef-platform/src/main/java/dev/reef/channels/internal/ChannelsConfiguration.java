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

  private final SlackSockets slackSockets;

  ChannelsConfiguration(SlackSockets slackSockets) {
    this.slackSockets = slackSockets;
  }

  /**
   * Slack's Web API for agents, as {@link #telegramRelay} is Telegram's; and the Socket Mode connections it hands
   * out, relayed by Reef ({@code /v1/slack/socket/<ticket>}).
   */
  @Bean
  ServletRegistrationBean<SlackRelayServlet> slackRelay(BearerCredentials credentials, ChannelRepository channels,
      ChannelService service, ChatAppApis slack, TransactionTemplate tx) {
    ServletRegistrationBean<SlackRelayServlet> registration = new ServletRegistrationBean<>(
        new SlackRelayServlet(credentials, channels, service, slack, slackSockets, tx), "/v1/slack/api/*");
    registration.setName("reef-slack-relay");
    return registration;
  }

  /**
   * The relay's WebSocket endpoint. A servlet of its own, as the relays above: everything below {@code /v1/} goes to
   * the LLM proxy's servlet, never to Spring MVC's dispatcher, where a WebSocket handler would usually be mapped.
   */
  @Bean
  org.springframework.web.socket.server.support.WebSocketHttpRequestHandler slackSocketHandshake() {
    return new org.springframework.web.socket.server.support.WebSocketHttpRequestHandler(
        new SlackSocketRelay(slackSockets));
  }

  @Bean
  ServletRegistrationBean<jakarta.servlet.http.HttpServlet> slackSocketServlet(
      org.springframework.web.socket.server.support.WebSocketHttpRequestHandler slackSocketHandshake) {
    ServletRegistrationBean<jakarta.servlet.http.HttpServlet> registration = new ServletRegistrationBean<>(
        new jakarta.servlet.http.HttpServlet() {
          @Override
          protected void service(jakarta.servlet.http.HttpServletRequest request,
              jakarta.servlet.http.HttpServletResponse response)
              throws jakarta.servlet.ServletException, java.io.IOException {
            slackSocketHandshake.handleRequest(request, response);
          }
        }, SlackSocketRelay.PATH + "*");
    registration.setName("reef-slack-socket");
    registration.setAsyncSupported(true);
    return registration;
  }

  /** Slack's envelopes (a message with its blocks and files) outgrow the container's 8 KB default. */
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
