package dev.reef.orchestration.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveDriverTest {

  @Test
  void missingDriver_failsStartUp_listingEveryDriverAndWhyItDidNotApply() {
    assertThatThrownBy(() -> new ActiveDriver(List.of(), "kubernetes"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("REEF_COMPUTE_DRIVER=kubernetes is not available. Drivers of Reef: process (built in: set "
            + "REEF_COMPUTE_DRIVER=process), kubernetes (needs the reef-kubernetes module on the classpath, as the "
            + "reef-server jar has it).");
  }

  @Test
  void unknownDriver_withTheKubernetesModulePresent_saysHowToChooseIt() {
    assertThat(ActiveDriver.unavailable("kubrnetes", true)).startsWith("REEF_COMPUTE_DRIVER=kubrnetes is not")
        .contains("kubernetes (in this Reef: set REEF_COMPUTE_DRIVER=kubernetes)");
  }
}
