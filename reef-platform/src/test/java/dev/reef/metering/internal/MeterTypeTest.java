package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MeterTypeTest {

  @Test
  void resolve_unset_isRedisWithAUrl_elseInProcess() {
    assertThat(resolve(Map.of())).isEqualTo(MeterType.IN_PROCESS);
    assertThat(resolve(Map.of("reef.meter.type", " ", "reef.redis.url", ""))).isEqualTo(MeterType.IN_PROCESS);
    assertThat(resolve(Map.of("reef.redis.url", "redis://h:6379"))).isEqualTo(MeterType.REDIS);
  }

  @Test
  void resolve_explicitChoice_wins() {
    assertThat(resolve(Map.of("reef.meter.type", "in-process", "reef.redis.url", "redis://h:6379")))
        .isEqualTo(MeterType.IN_PROCESS);
    assertThat(resolve(Map.of("reef.meter.type", "Redis", "reef.redis.url", "redis://h:6379")))
        .isEqualTo(MeterType.REDIS);
  }

  @Test
  void resolve_redisWithoutUrl_failsListingWhatWasTried() {
    assertThatThrownBy(() -> resolve(Map.of("reef.meter.type", "redis")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REEF_METER=redis")
        .hasMessageContaining("Tried: redis: needs REEF_REDIS_URL")
        .hasMessageContaining("in-process");
  }

  @Test
  void resolve_unknownMeter_failsListingTheOptions() {
    assertThatThrownBy(() -> resolve(Map.of("reef.meter.type", "memcached")))
        .hasMessageContaining("'memcached'").hasMessageContaining("in-process").hasMessageContaining("redis");
  }

  private static MeterType resolve(Map<String, String> properties) {
    return MeterType.resolve(properties::get);
  }
}
