package dev.reef.orchestration.internal;

import dev.reef.orchestration.ComputeDriver;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

/**
 * The compute driver named by {@code REEF_COMPUTE_DRIVER} (default {@code process}) among those on the classpath;
 * start-up fails with every driver Reef knows and why it did not apply when it is missing (for example
 * {@code kubernetes} without the reef-kubernetes module).
 */
@Component
final class ActiveDriver {

  /** The kubernetes driver's entry point, present when its module is on the classpath. */
  static final String KUBERNETES_MODULE = "dev.reef.kubernetes.KubernetesAutoConfiguration";

  private final ComputeDriver driver;

  ActiveDriver(List<ComputeDriver> drivers, @Value("${reef.compute.driver:process}") String wanted) {
    this.driver = drivers.stream().filter(d -> d.name().equalsIgnoreCase(wanted.trim())).findFirst()
        .orElseThrow(() -> new IllegalStateException(unavailable(wanted,
            ClassUtils.isPresent(KUBERNETES_MODULE, ActiveDriver.class.getClassLoader()))));
  }

  static String unavailable(String wanted, boolean kubernetesModule) {
    return "REEF_COMPUTE_DRIVER=" + wanted + " is not available. Drivers of Reef: process (built in: set "
        + "REEF_COMPUTE_DRIVER=process), kubernetes (" + (kubernetesModule ? "in this Reef: set "
        + "REEF_COMPUTE_DRIVER=kubernetes" : "needs the reef-kubernetes module on the classpath, as the reef-server "
        + "jar has it") + ").";
  }

  ComputeDriver get() {
    return driver;
  }
}
