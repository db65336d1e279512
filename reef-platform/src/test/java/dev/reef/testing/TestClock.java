package dev.reef.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The system clock plus an offset a test can move forward, so time-based behaviour (idle stop, windows) is tested
 * without sleeping. Every test that moves it must {@link #reset()} it.
 */
public final class TestClock extends Clock {

  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  public void advance(Duration by) {
    offset.accumulateAndGet(by, Duration::plus);
  }

  public void reset() {
    offset.set(Duration.ZERO);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset.get());
  }

  /** Replaces the application's clock in every test context. */
  @TestConfiguration(proxyBeanMethods = false)
  public static class Configuration {
    @Bean
    @Primary
    TestClock testClock() {
      return new TestClock();
    }
  }
}
