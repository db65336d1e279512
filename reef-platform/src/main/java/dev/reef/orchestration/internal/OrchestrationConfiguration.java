package dev.reef.orchestration.internal;

import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OrchestrationConfiguration {

  /** One client for every call Reef makes to agents (readiness, chat). */
  @Bean(destroyMethod = "close")
  AgentHttp agentHttp() {
    return new AgentHttp(Duration.ofSeconds(5));
  }
}
