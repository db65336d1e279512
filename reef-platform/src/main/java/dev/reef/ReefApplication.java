package dev.reef;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Reef: one deployable that hosts an isolated AI agent per tenant behind a shared orchestrator, LLM proxy and
 * dashboard. Each top-level package below is an application module (Spring Modulith verifies the boundaries).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ReefApplication {

  public static void main(String[] args) {
    SpringApplication.run(ReefApplication.class, args);
  }
}
