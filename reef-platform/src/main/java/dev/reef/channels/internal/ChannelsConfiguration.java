package dev.reef.channels.internal;

import dev.reef.access.BearerCredentials;
import dev.reef.secrets.SecretStore;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChannelsProperties.class)
class ChannelsConfiguration {

  /** Slack's Web API for agents, as {@link #telegramRelay} is Telegram's. */
  @Bean
  ServletRegistrationBean<SlackRelayServlet> slackRelay(RelayCallers callers, ChatAppApis slack) {
    ServletRegistrationBean<SlackRelayServlet> registration = new ServletRegistrationBean<>(
        new SlackRelayServlet(callers, slack), "/v1/slack/api/*");
    registration.setName("reef-slack-relay");
    return registration;
  }

  /** Where agents take their Slack messages ({@link SlackRelayEndpoint}); a bean, so its lifecycle is run. */
  @Bean
  WebSocketHttpRequestHandler slackRelayHandshake(RelayCallers callers, ChannelInbox inbox) {
    return new WebSocketHttpRequestHandler(new SlackRelayEndpoint(callers, inbox));
  }

  @Bean
  ServletRegistrationBean<HttpServlet> slackRelayEndpoint(WebSocketHttpRequestHandler slackRelayHandshake) {
    return webSocket("reef-slack-relay-endpoint", SlackRelayEndpoint.PATH, slackRelayHandshake);
  }

  @Bean
  DiscordGatewayRelay discordGatewayRelay(RelayCallers callers, ChannelsProperties properties, Clock clock) {
    return new DiscordGatewayRelay(callers, properties.discordGatewayUrl(), clock);
  }

  /** Discord's gateway for agents ({@link DiscordGatewayRelay}). */
  @Bean
  WebSocketHttpRequestHandler discordGatewayHandshake(DiscordGatewayRelay relay) {
    return new WebSocketHttpRequestHandler(relay);
  }

  @Bean
  ServletRegistrationBean<HttpServlet> discordGatewayEndpoint(WebSocketHttpRequestHandler discordGatewayHandshake) {
    return webSocket("reef-discord-gateway", DiscordGatewayRelay.PATH, discordGatewayHandshake);
  }

  /** Discord's REST API for agents ({@link DiscordRelayServlet}). */
  @Bean
  ServletRegistrationBean<DiscordRelayServlet> discordRelay(RelayCallers callers, ChatAppApis discord,
      DiscordGatewayRelay gateway) {
    ServletRegistrationBean<DiscordRelayServlet> registration = new ServletRegistrationBean<>(
        new DiscordRelayServlet(callers, discord, gateway), DiscordRelayServlet.PATH + "/*");
    registration.setName("reef-discord-relay");
    return registration;
  }

  /**
   * A WebSocket endpoint as a servlet of its own, as the relays above: everything below {@code /v1/} goes to the
   * LLM proxy's servlet, never to Spring MVC's dispatcher, where a WebSocket handler would usually be mapped.
   */
  private static ServletRegistrationBean<HttpServlet> webSocket(String name, String path,
      WebSocketHttpRequestHandler handshake) {
    ServletRegistrationBean<HttpServlet> registration = new ServletRegistrationBean<>(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response)
          throws ServletException, IOException {
        handshake.handleRequest(request, response);
      }
    }, path);
    registration.setName(name);
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
