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

  /** The JVM's setting for how many platform threads carry the virtual threads (by default, one per core). */
  static final String CARRIERS = "jdk.virtualThreadScheduler.parallelism";

  public static void main(String[] args) {
    // Before anything starts a virtual thread: the JVM reads this once, when it makes the scheduler.
    System.setProperty(CARRIERS, carriers(System.getProperty(CARRIERS), Runtime.getRuntime().availableProcessors()));
    SpringApplication.run(ReefApplication.class, args);
  }

  /**
   * Twice as many carriers as cores, unless set explicitly ({@code -Djdk.virtualThreadScheduler.parallelism=N}).
   * Why: with one carrier per core, a carrier the OS takes off its core (for Reef's own platform threads or any other
   * process) holds up every virtual thread queued on it until it runs again. At 64 connections on 2 cores, 4 carriers
   * cut the proxy's p99 by about a fifth at the same throughput (docs/benchmarks.md).
   */
  static String carriers(String configured, int cores) {
    return configured != null && !configured.isBlank() ? configured : String.valueOf(2 * Math.max(1, cores));
  }
}
