package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the start-up probe finds and says, with the real bubblewrap of this machine. */
class SandboxSupportIT {

  @Test
  void probe_asRoot_givesEachTenantAUid_andNothingIsWeaker() {
    SandboxSupport.Status status = TestSandboxes.support();
    if (UnixSockets.ownUid() == 0) {
      assertThat(status.separateUids()).isTrue();
      assertThat(status.weaker()).isEmpty();
    }
  }

  @Test
  void probe_withoutSwitchingUid_stillSandboxes_andSaysWhatIsWeaker() {
    TestSandboxes.support();

    SandboxSupport.Status status = SandboxSupport.probe(false, 2_999_998);

    assertThat(status.usable()).as(status.problem().orElse("")).isTrue();
    assertThat(status.separateUids()).isFalse();
    assertThat(status.weaker()).singleElement().asString().contains("Reef does not run as root")
        .contains("Reef's own uid");
  }

  @Test
  void probe_withBubblewrapMissing_isUnusable_andSaysWhatToInstall() {
    SandboxSupport.Status status = SandboxSupport.probe(true, 2_999_998, "/no/such/bwrap");

    assertThat(status.usable()).isFalse();
    assertThat(status.problem()).get().asString().contains("/no/such/bwrap").contains("apt-get install bubblewrap")
        .contains("REEF_SANDBOX=none");
  }
}
