package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.orchestration.Placement;
import org.junit.jupiter.api.Test;

/**
 * The process driver with {@code REEF_SANDBOX=none}: agents as plain processes of Reef's user, each on a loopback
 * address of its own. Development only, but it keeps every promise of the compute driver contract.
 */
class UnconfinedProcessDriverIT extends ProcessDriverITBase {

  @Override
  protected Sandboxing sandboxing() {
    return Sandboxing.off();
  }

  @Test
  void create_givesAnAddressOutsideTheUsualLoopbackOnes_andPathsForEverything() {
    Placement p = create();

    assertThat(p.driver()).isEqualTo("process");
    assertThat(p.listenHost()).startsWith("127.").doesNotStartWith("127.0.");
    assertThat(p.address()).isEqualTo("http://" + p.listenHost() + ":" + PORT);
    assertThat(p.paths()).containsOnlyKeys("state", "workspace", "home", "tmp", "logs");
    assertThat(p.proxyBaseUrl()).isEqualTo(proxy.openAiBaseUrl());
    assertThat(p.egressProxyUrl()).isNull();
    assertThat(p.attributes()).containsEntry(ProcessComputeDriver.SANDBOX, "none");
    assertThat(p.paths().get("state")).startsWith(dataDir.toAbsolutePath().resolve("agents")
        .resolve(p.tenantId().toString()).resolve(p.agentId().toString()).toString());
  }
}
