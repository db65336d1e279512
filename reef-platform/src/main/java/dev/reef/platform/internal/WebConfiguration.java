package dev.reef.platform.internal;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import org.springframework.context.annotation.Configuration;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Identifier types can be used directly as path variables; a malformed one reads as "not found". */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

  @Override
  public void addFormatters(FormatterRegistry registry) {
    registry.addConverter(String.class, TenantId.class, TenantId::parse);
    registry.addConverter(String.class, UserId.class, UserId::parse);
  }
}
