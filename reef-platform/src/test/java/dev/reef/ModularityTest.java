package dev.reef;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/** Module boundaries: no cycles, and no module reaches into another's internals. */
class ModularityTest {

  private final ApplicationModules modules = ApplicationModules.of(ReefApplication.class);

  @Test
  void modules_respectBoundaries() {
    modules.verify();
  }

  @Test
  void modules_documented() {
    new Documenter(modules, "target/modulith-docs").writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
  }
}
