package dev.reef.access.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.platform.ReefProperties;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

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
      return now;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final LoginThrottle throttle = new LoginThrottle(new ReefProperties(Path.of("x"), null, null, null, null,
      null, new ReefProperties.Login(3, 5, Duration.ofMinutes(10)), null), clock);

  @Test
  void retryAfter_afterMaxFailuresForAccount_blocksUntilWindowEnds() {
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.retryAfter("A@x.io", "1.1.1.1")).isZero();
      throttle.recordFailure("a@x.io");
    }
    assertThat(throttle.retryAfter("a@x.io", "2.2.2.2")).isEqualTo(Duration.ofMinutes(10));
    clock.now = clock.now.plus(Duration.ofMinutes(4));
    assertThat(throttle.retryAfter("a@x.io", "2.2.2.2")).isEqualTo(Duration.ofMinutes(6));
    clock.now = clock.now.plus(Duration.ofMinutes(6));
    assertThat(throttle.retryAfter("a@x.io", "2.2.2.2")).isZero();
  }

  @Test
  void retryAfter_otherAccounts_unaffected() {
    for (int i = 0; i < 3; i++) {
      throttle.recordFailure("a@x.io");
    }
    assertThat(throttle.retryAfter("b@x.io", "1.1.1.1")).isZero();
  }

  @Test
  void retryAfter_tooManyAttemptsFromOneAddress_blocksEveryAccount() {
    for (int i = 0; i < 5; i++) {
      throttle.recordAttempt("9.9.9.9");
    }
    assertThat(throttle.retryAfter("fresh@x.io", "9.9.9.9")).isPositive();
    assertThat(throttle.retryAfter("fresh@x.io", "8.8.8.8")).isZero();
  }

  @Test
  void recordSuccess_clearsAccountFailures() {
    throttle.recordFailure("a@x.io");
    throttle.recordFailure("a@x.io");
    throttle.recordSuccess("a@x.io");
    throttle.recordFailure("a@x.io");
    throttle.recordFailure("a@x.io");
    assertThat(throttle.retryAfter("a@x.io", "1.1.1.1")).isZero();
  }
}
