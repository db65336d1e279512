package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.metering.UsageMeter;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which meter starts for which settings, and that an impossible choice stops the start naming what was tried. */
class MeterConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withUserConfiguration(Collaborators.class, MeterConfigurations.InProcessMeterConfiguration.class,
          MeterConfigurations.RedisMeterConfiguration.class, MeterConfigurations.MeterHealthConfiguration.class);

  @Configuration(proxyBeanMethods = false)
  static class Collaborators {
    @Bean
    Clock clock() {
      return Clock.systemUTC();
    }

    @Bean
    LedgerTotals ledgerTotals() {
      return (t, m, meteredOnly) -> LedgerTotals.MonthTotals.NONE;
    }

    @Bean
    dev.reef.metering.SettlementFence settlementFence() {
      return new dev.reef.metering.SettlementFence();
    }
  }

  @Test
  void noSettings_inProcessMeter_healthUp() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(UsageMeter.class).getBean(UsageMeter.class)
          .isInstanceOf(InProcessUsageMeter.class);
      MeterHealthIndicator health = context.getBean("meterHealthIndicator", MeterHealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails()).containsEntry("implementation", "in-process");
    });
  }

  @Test
  void redisUrl_redisMeter_withItsSettings_healthDownWhileRedisIsUnreachable() {
    runner.withPropertyValues("reef.redis.url=redis://127.0.0.1:1", "reef.redis.timeout=100ms",
        "reef.meter.fail-mode=open", "reef.meter.lease=30s").run(context -> {
          assertThat(context).hasSingleBean(UsageMeter.class).getBean(UsageMeter.class)
              .isInstanceOf(RedisUsageMeter.class);
          assertThat(context.getBean(MeterProperties.class))
              .isEqualTo(new MeterProperties(null, MeterProperties.FailMode.OPEN, java.time.Duration.ofSeconds(30)));
          assertThat(context.getBean(MeterHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
        });
  }

  @Test
  void redisRequestedWithoutUrl_startFails_listingWhatWasTried() {
    runner.withPropertyValues("reef.meter.type=redis").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("REEF_METER=redis")
          .hasMessageContaining("REEF_REDIS_URL");
    });
  }

  @Test
  void inProcessRequested_evenWithARedisUrl_inProcessMeter() {
    runner.withPropertyValues("reef.meter.type=in-process", "reef.redis.url=redis://127.0.0.1:1")
        .run(context -> assertThat(context.getBean(UsageMeter.class)).isInstanceOf(InProcessUsageMeter.class));
  }
}
