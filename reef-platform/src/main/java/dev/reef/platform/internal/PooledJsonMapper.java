package dev.reef.platform.internal;

import dev.reef.platform.JsonBuffers;
import java.util.List;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application's JSON mapper builder, in place of Spring Boot's: the same builder with every customizer applied
 * (Boot's own and {@link StrictJson}), but on a factory whose buffers come from {@link JsonBuffers}' pool. Boot has
 * no setting for the pool, and the builder cannot change its factory once made.
 */
@Configuration(proxyBeanMethods = false)
class PooledJsonMapper {

  @Bean
  @Scope("prototype")
  JsonMapper.Builder jsonMapperBuilder(List<JsonMapperBuilderCustomizer> customizers) {
    JsonMapper.Builder builder = JsonMapper.builder(JsonBuffers.factory());
    customizers.forEach(customizer -> customizer.customize(builder));
    return builder;
  }
}
