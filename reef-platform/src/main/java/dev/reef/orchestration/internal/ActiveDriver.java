package dev.reef.orchestration.internal;

import dev.reef.orchestration.ComputeDriver;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The compute driver named by {@code REEF_COMPUTE_DRIVER} (default {@code process}) among those on the classpath;
 * start-up fails with the list of available ones when it is missing (for example {@code kubernetes} without the
 * reef-kubernetes module).
 */
@Component
final class ActiveDriver {

  private final ComputeDriver driver;

  ActiveDriver(List<ComputeDriver> drivers, @Value("${reef.compute.driver:process}") String wanted) {
    this.driver = drivers.stream().filter(d -> d.name().equalsIgnoreCase(wanted.trim())).findFirst()
        .orElseThrow(() -> new IllegalStateException("REEF_COMPUTE_DRIVER=" + wanted + " is not available; drivers "
            + "on this Reef: " + (drivers.isEmpty() ? "none"
            : drivers.stream().map(ComputeDriver::name).collect(Collectors.joining(", ")))
            + ". The kubernetes driver needs the reef-kubernetes module on the classpath."));
  }

  ComputeDriver get() {
    return driver;
  }
}
