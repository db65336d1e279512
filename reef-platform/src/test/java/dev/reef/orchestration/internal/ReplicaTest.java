package dev.reef.orchestration.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicaTest {

  @Test
  void default_isHostNamePlusSuffix_withinTheLeaseOwnerColumn() {
    String first = new Replica("").id();
    String second = new Replica("").id();
    assertThat(first).matches(".+/[0-9a-f]{8}").hasSizeLessThanOrEqualTo(Replica.MAX_LENGTH);
    assertThat(first).as("a restarted replica is a new lease owner").isNotEqualTo(second);
  }

  @Test
  void configured_isUsedAsIs() {
    assertThat(new Replica("reef-0").id()).isEqualTo("reef-0");
  }

  @Test
  void configured_tooLong_isAClearError() {
    assertThatThrownBy(() -> new Replica("r".repeat(65)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REEF_REPLICA_ID").hasMessageContaining("at most 64");
  }
}
