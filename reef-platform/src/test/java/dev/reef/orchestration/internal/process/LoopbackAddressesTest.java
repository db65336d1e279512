package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LoopbackAddressesTest {

  private final UUID agent = UUID.fromString("6f1c1e9a-3b8d-4c2e-9f0a-1b2c3d4e5f60");

  @Test
  void candidate_isStableForAnAgent_andDiffersPerAttempt() {
    assertThat(LoopbackAddresses.candidate(agent, 0)).isEqualTo(LoopbackAddresses.candidate(agent, 0));
    assertThat(LoopbackAddresses.candidate(agent, 0)).isNotEqualTo(LoopbackAddresses.candidate(agent, 1));
  }

  @Test
  void candidate_staysInLoopback_awayFrom127_0AndTheBroadcastEnd() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      String address = LoopbackAddresses.candidate(UUID.randomUUID(), i % 3);
      String[] octets = address.split("\\.");
      assertThat(octets[0]).isEqualTo("127");
      assertThat(Integer.parseInt(octets[1])).isBetween(1, 254);
      assertThat(Integer.parseInt(octets[2])).isBetween(0, 255);
      assertThat(Integer.parseInt(octets[3])).isBetween(1, 254);
      seen.add(address);
    }
    assertThat(seen).as("16.5 million addresses: 20,000 agents rarely share one").hasSizeGreaterThan(19_950);
  }

  @Test
  void allocate_skipsReservedAndUnusableAddresses() {
    String first = LoopbackAddresses.candidate(agent, 0);
    String second = LoopbackAddresses.candidate(agent, 1);
    String third = LoopbackAddresses.candidate(agent, 2);

    assertThat(LoopbackAddresses.allocate(agent, 18799, Set.of(), (a, p) -> true)).isEqualTo(first);
    assertThat(LoopbackAddresses.allocate(agent, 18799, Set.of(first), (a, p) -> true)).isEqualTo(second);
    assertThat(LoopbackAddresses.allocate(agent, 18799, Set.of(first), (a, p) -> !a.equals(second)))
        .isEqualTo(third);
  }

  @Test
  void allocate_nothingUsable_saysWhatToCheck() {
    assertThatThrownBy(() -> LoopbackAddresses.allocate(agent, 18799, Set.of(), (a, p) -> false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("port 18799")
        .hasMessageContaining("127.0.0.0/8");
  }

  @Test
  void canListen_anAddressOfThisKind_worksOnThisMachine_andATakenPortIsSeen() throws Exception {
    String address = LoopbackAddresses.candidate(agent, 0);
    try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
      taken.bind(new java.net.InetSocketAddress(address, 0));
      assertThat(LoopbackAddresses.canListen(address, taken.getLocalPort())).isFalse();
      assertThat(LoopbackAddresses.canListen(LoopbackAddresses.candidate(agent, 1), taken.getLocalPort())).isTrue();
    }
  }
}
