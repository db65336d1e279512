package dev.reef.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import dev.reef.ReefApplication;
import dev.reef.orchestration.ComputeDriver;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.modulith.core.ApplicationModules;

/** How the driver is chosen and configured: only with REEF_COMPUTE_DRIVER=kubernetes, from REEF_KUBERNETES_*. */
class KubernetesAutoConfigurationIT {

  private final SimulatedCluster cluster = new SimulatedCluster();
  private final ApplicationContextRunner runner = runner(cluster::newClient);

  private static ApplicationContextRunner runner(Supplier<KubernetesClient> client) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KubernetesAutoConfiguration.class))
        .withBean(KubernetesClient.class, client)
        .withBean(Clock.class, Clock::systemUTC);
  }

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void kubernetesDriver_isTheDriver_whenChosen_withItsSettings() {
    runner.withPropertyValues("reef.compute.driver=kubernetes", "reef.kubernetes.namespace-prefix=acme-",
        "reef.kubernetes.image=registry.local/{runtime}:{version}", "reef.kubernetes.runtime-class-name=kata",
        "reef.kubernetes.reef-namespace=platform").run(context -> {
          assertThat(context).hasNotFailed();
          ComputeDriver driver = context.getBean(ComputeDriver.class);
          assertThat(driver.name()).isEqualTo("kubernetes");
          assertThat(driver.needsLocalRuntime()).isFalse();
          KubernetesDriverProperties properties = context.getBean(KubernetesDriverProperties.class);
          assertThat(properties.namespacePrefix()).isEqualTo("acme-");
          assertThat(properties.imageFor("openclaw", "2026.9.6")).isEqualTo("registry.local/openclaw:2026.9.6");
          assertThat(properties.runtimeClassName()).isEqualTo("kata");
        });
  }

  @Test
  void kubernetesDriver_isAbsent_otherwise() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ComputeDriver.class));
    runner.withPropertyValues("reef.compute.driver=process")
        .run(context -> assertThat(context).doesNotHaveBean(ComputeDriver.class));
  }

  @Test
  void wrongSetting_failsStartUp_namingTheVariable() {
    runner.withPropertyValues("reef.compute.driver=kubernetes", "reef.kubernetes.proxy-url=reef:8080")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("REEF_KUBERNETES_PROXY_URL"));
  }

  @Test
  void unreachableCluster_failsStartUp_sayingWhereAndWhy() {
    runner(() -> new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1")
        .withRequestRetryBackoffLimit(0).build()).build())
        .withPropertyValues("reef.compute.driver=kubernetes")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "REEF_COMPUTE_DRIVER=kubernetes: cannot watch agents' pods and StatefulSets on the cluster at "
                + "http://127.0.0.1:1/ (").hasStackTraceContaining("ConnectException"));
  }

  /**
   * The driver uses only other modules' APIs (orchestration's SPI, nothing of tenancy's), as a module of Reef must. The
   * platform's test classes (on this classpath for the shared contract) are not Reef's modules: left out.
   */
  @Test
  void driver_respectsTheModuleBoundaries() {
    ApplicationModules modules = ApplicationModules.of(ReefApplication.class,
        new DescribedPredicate<JavaClass>("test code") {
          @Override
          public boolean test(JavaClass c) {
            return c.getSource().map(s -> s.getUri().toString())
                .filter(u -> u.contains("test-classes") || u.contains("-tests.jar")).isPresent();
          }
        });
    assertThat(modules.getModuleByName("kubernetes")).isPresent();
    modules.verify();
  }
}
