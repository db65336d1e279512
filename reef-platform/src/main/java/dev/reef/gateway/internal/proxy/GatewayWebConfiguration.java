package dev.reef.gateway.internal.proxy;

import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GatewayWebConfiguration {

  @Bean
  ServletRegistrationBean<GatewayServlet> gatewayServlet(GatewayProxy proxy) {
    ServletRegistrationBean<GatewayServlet> registration =
        new ServletRegistrationBean<>(new GatewayServlet(proxy), "/v1/*");
    registration.setName("reef-gateway");
    registration.setLoadOnStartup(1);
    return registration;
  }
}
