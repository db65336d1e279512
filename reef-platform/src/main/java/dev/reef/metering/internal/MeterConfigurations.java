package dev.reef.metering.internal;

import java.time.Clock;
import java.time.Duration;
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
      return new InProcessUsageMeter(clock, ledger, meter.lease(), meter.failMode());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @Conditional(MeterTypeCondition.Redis.class)
  @EnableConfigurationProperties({MeterProperties.class, RedisConnectionProperties.class})
  static class RedisMeterConfiguration {

    private static final Duration RECONCILE_EVERY = Duration.ofSeconds(1);
    private static final Duration WARM_UP = Duration.ofSeconds(5);

    @Bean(destroyMethod = "close")
    RedisUsageMeter usageMeter(Clock clock, LedgerTotals ledger, MeterProperties meter,
        RedisConnectionProperties redis) {
      RedisMeterStore store = new RedisMeterStore(redis.url(), redis.timeout());
      store.warmUp(WARM_UP);
      return new RedisUsageMeter(store, new RedisKeys(redis.keyPrefix()),
          ledger, clock, meter.lease(), meter.failMode(), () -> 0, RECONCILE_EVERY);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class MeterHealthConfiguration {

    /** Named so the contributor is {@code meter}. */
    @Bean
    MeterHealthIndicator meterHealthIndicator(MeterProbe meter) {
      return new MeterHealthIndicator(meter);
    }
  }
}
