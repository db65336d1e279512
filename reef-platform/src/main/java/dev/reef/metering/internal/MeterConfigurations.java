package dev.reef.metering.internal;

import dev.reef.metering.SettlementFence;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The two meters, each a configuration gated by {@link MeterTypeCondition}; exactly one applies, or start-up fails
 * naming what was tried. The {@code meter} health indicator reports whichever runs.
 */
final class MeterConfigurations {

  private MeterConfigurations() {}

  @Configuration(proxyBeanMethods = false)
  @Conditional(MeterTypeCondition.InProcess.class)
  @EnableConfigurationProperties(MeterProperties.class)
  static class InProcessMeterConfiguration {

    @Bean
    InProcessUsageMeter usageMeter(Clock clock, LedgerTotals ledger, MeterProperties meter) {
      return new InProcessUsageMeter(clock, ledger, meter.failMode());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @Conditional(MeterTypeCondition.Redis.class)
  @EnableConfigurationProperties({MeterProperties.class, RedisConnectionProperties.class})
  static class RedisMeterConfiguration {

    private static final Duration RECONCILE_EVERY = Duration.ofSeconds(1);
    private static final Duration WARM_UP = Duration.ofSeconds(5);

    /**
     * @param replicaId {@code REEF_REPLICA_ID}: when set, this replica's holds carry it, and a restart releases what
     *     the earlier life held; when not, they carry a name of this process's own and run out with their leases
     */
    @Bean(destroyMethod = "close")
    RedisUsageMeter usageMeter(Clock clock, LedgerTotals ledger, SettlementFence fence, MeterProperties meter,
        RedisConnectionProperties redis, @Value("${reef.replica-id:}") String replicaId) {
      RedisMeterStore store = new RedisMeterStore(redis.url(), redis.timeout());
      store.warmUp(WARM_UP);
      boolean configured = !replicaId.isBlank();
      String owner = configured ? replicaId : "process-" + UUID.randomUUID();
      RedisUsageMeter usageMeter = new RedisUsageMeter(store, new RedisKeys(redis.keyPrefix()), ledger, fence, clock,
          meter.lease(), meter.failMode(), owner, configured, () -> 0, RECONCILE_EVERY);
      usageMeter.warmUp(WARM_UP);
      return usageMeter;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class MeterHealthConfiguration {

    /** Named so the contributor is {@code meter}. */
    @Bean
    MeterHealthIndicator meterHealthIndicator(MeterProbe meter,
        org.springframework.beans.factory.ObjectProvider<io.micrometer.core.instrument.MeterRegistry> metrics) {
      MeterHealthIndicator indicator = new MeterHealthIndicator(meter);
      metrics.ifAvailable(registry -> io.micrometer.core.instrument.Gauge.builder("reef.meter.round.trip",
              indicator, MeterHealthIndicator::roundTripSeconds)
          .baseUnit("seconds").description("One round trip to the meter's store (Redis), measured when read")
          .tag("implementation", meter.implementation()).register(registry));
      return indicator;
    }
  }
}
