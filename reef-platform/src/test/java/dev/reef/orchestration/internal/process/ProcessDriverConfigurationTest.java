package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.orchestration.ComputeDriver;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mock.env.MockEnvironment;

class ProcessDriverConfigurationTest {

  @TempDir
  Path dataDir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withUserConfiguration(ProcessDriverConfiguration.class)
        .withPropertyValues("reef.data-dir=" + dataDir, "reef.compute.process.cgroups=false",
            "reef.sandbox.mode=none");
  }

  @Test
  void driver_isTheProcessDriver_whenUnsetOrAskedFor() {
    runner().run(context -> assertThat(context.getBean(ComputeDriver.class).name()).isEqualTo("process"));
    runner().withPropertyValues("reef.compute.driver=process")
        .run(context -> assertThat(context).hasSingleBean(ComputeDriver.class));
  }

  @Test
  void driver_isAbsent_whenAnotherIsChosen() {
    runner().withPropertyValues("reef.compute.driver=kubernetes")
        .run(context -> assertThat(context).doesNotHaveBean(ComputeDriver.class));
  }

  @Test
  void sandbox_unknownMode_isRefusedSayingWhichAreKnown() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SandboxProperties("docker", null, null, null, null))
        .hasMessageContaining("REEF_SANDBOX must be 'bubblewrap' (the default) or 'none'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SandboxProperties(null, 0L, null, null, null))
        .hasMessageContaining("REEF_SANDBOX_UID_BASE=0");
    assertThat(new SandboxProperties(null, null, null, null, null).enabled()).isTrue();
  }

  @Test
  void properties_defaults() {
    ProcessDriverProperties defaults = new ProcessDriverProperties(null, 0, null, null);
    assertThat(defaults.logMaxSize().toMegabytes()).isEqualTo(10);
    assertThat(defaults.logFiles()).isEqualTo(3);
    assertThat(defaults.cgroups()).isTrue();
    assertThat(defaults.cgroupParent()).isEqualTo("./reef-agents");
  }

  @Test
  void proxyBaseUrl_isTheServersRealPort_overLoopback() {
    MockEnvironment env = new MockEnvironment().withProperty("server.port", "0");
    env.setProperty("local.server.port", "41234");
    assertThat(ProcessDriverConfiguration.proxyBaseUrl(env)).isEqualTo("http://127.0.0.1:41234/v1");

    assertThat(ProcessDriverConfiguration.proxyBaseUrl(new MockEnvironment().withProperty("server.port", "9090")))
        .isEqualTo("http://127.0.0.1:9090/v1");
    assertThat(ProcessDriverConfiguration.proxyBaseUrl(new MockEnvironment().withProperty("server.port", "9090")
        .withProperty("server.address", "10.0.0.5"))).isEqualTo("http://10.0.0.5:9090/v1");
  }
}
