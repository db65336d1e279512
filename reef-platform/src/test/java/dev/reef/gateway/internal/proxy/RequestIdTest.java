package dev.reef.gateway.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdTest {

  @Test
  void isAVersion7Uuid_carryingItsMillisecond() {
    Instant at = Instant.parse("2026-11-28T04:40:00.123Z");
    UUID id = GatewayProxy.requestId(at);
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
    assertThat(id.toString()).startsWith(String.format("%08x", at.toEpochMilli() >>> 16));
  }

  @Test
  void laterIdsSortAfterEarlierOnes_andIdsOfOneMillisecondDiffer() {
    Instant at = Instant.parse("2026-11-28T04:40:00Z");
    UUID earlier = GatewayProxy.requestId(at);
    UUID later = GatewayProxy.requestId(at.plusMillis(1));
    assertThat(later.toString()).isGreaterThan(earlier.toString());
    Set<UUID> sameMillisecond = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      sameMillisecond.add(GatewayProxy.requestId(at));
    }
    assertThat(sameMillisecond).hasSize(100_000);
  }
}
