package dev.reef.orchestration.internal.process;

import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The process driver, chosen by {@code REEF_COMPUTE_DRIVER=process}, which is also the default. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "reef.compute.driver", havingValue = ProcessComputeDriver.NAME, matchIfMissing = true)
@EnableConfigurationProperties(ProcessDriverProperties.class)
class ProcessDriverConfiguration {

  private static final Duration ROTATION_CHECK = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(ProcessDriverConfiguration.class);

  @Bean(destroyMethod = "close")
  ProcessComputeDriver processComputeDriver(Environment environment, ProcessDriverProperties properties) {
    Cgroups cgroups = properties.cgroups()
        ? Cgroups.detect(Path.of("/proc/self/mounts"), properties.cgroupParent())
        : Cgroups.disabled("switched off (REEF_PROCESS_CGROUPS=false)");
    if (cgroups.enforcesMemory()) {
      log.info("Process driver: {}", cgroups.describe());
    } else {
      log.warn("Process driver: {}. Agents are told their memory limit (a runtime may size its heap by it) but the "
          + "system does not hold them to it.", cgroups.describe());
    }
    return new ProcessComputeDriver(Path.of(environment.getProperty("reef.data-dir", ".reef-data")),
        () -> proxyBaseUrl(environment), ProcessTable.system(), cgroups,
        new LogRotation(properties.logMaxSize().toBytes(), properties.logFiles()), ROTATION_CHECK);
  }

  /**
   * Reef's LLM proxy as agents on this machine reach it: over loopback, at the port the server really listens on
   * ({@code local.server.port} once it has started, which differs from {@code server.port} when that is 0).
   */
  static String proxyBaseUrl(Environment environment) {
    String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    String address = environment.getProperty("server.address", "");
    String host = address.isBlank() || address.equals("0.0.0.0") || address.equals("::") ? "127.0.0.1"
        : address.contains(":") ? "[" + address + "]" : address;
    return "http://" + host + ":" + port + "/v1";
  }
}
