package dev.reef.gateway.internal.proxy;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GatewayWebConfiguration {

  static final String SERVLET_NAME = "reef-gateway";

  /** Requests for the gateway servlet skip the servlet filters: see {@link GatewayFastPath}. */
  @Bean
  TomcatContextCustomizer gatewayFastPath() {
    return context -> context.getPipeline().addValve(new GatewayFastPath(SERVLET_NAME));
  }

  /**
   * The generic per-request observation (http.server.requests) costs more than the proxy's own work on /v1; the
   * proxy's calls are measured by the usage ledger and the proxy's own timer instead.
   */
  @Bean
  ObservationPredicate gatewayCallsAreNotObservedPerRequest() {
    return (name, context) -> !(context instanceof ServerRequestObservationContext request
        && request.getCarrier() != null && request.getCarrier().getRequestURI().startsWith("/v1/"));
  }

  @Bean
  ServletRegistrationBean<GatewayServlet> gatewayServlet(GatewayProxy proxy) {
    ServletRegistrationBean<GatewayServlet> registration =
        new ServletRegistrationBean<>(new GatewayServlet(proxy), "/v1/*");
    registration.setName(SERVLET_NAME);
    registration.setLoadOnStartup(1);
    return registration;
  }
}
