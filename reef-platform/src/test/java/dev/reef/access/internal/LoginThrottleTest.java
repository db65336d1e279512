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
  void retryAfter_afterMaxFailuresForAccountFromOneAddress_blocksThatAddressUntilWindowEnds() {
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.retryAfter("A@x.io", "1.1.1.1")).as("failure %d of 3 is allowed", i + 1).isZero();
      throttle.recordFailure("a@x.io", "1.1.1.1");
    }
    assertThat(throttle.retryAfter("a@x.io", "1.1.1.1")).isEqualTo(Duration.ofMinutes(10));
    clock.now = clock.now.plus(Duration.ofMinutes(4));
    assertThat(throttle.retryAfter("a@x.io", "1.1.1.1")).isEqualTo(Duration.ofMinutes(6));
    clock.now = clock.now.plus(Duration.ofMinutes(6));
    assertThat(throttle.retryAfter("a@x.io", "1.1.1.1")).isZero();
  }

  @Test
  void retryAfter_failuresFromOneAddress_ownerElsewhereUnaffected() {
    for (int i = 0; i < 10; i++) {
      throttle.recordFailure("a@x.io", "6.6.6.6");
    }
    assertThat(throttle.retryAfter("a@x.io", "6.6.6.6")).isPositive();
    assertThat(throttle.retryAfter("a@x.io", "1.1.1.1")).isZero();
  }

  @Test
  void retryAfter_otherAccounts_unaffected() {
    for (int i = 0; i < 3; i++) {
      throttle.recordFailure("a@x.io", "1.1.1.1");
    }
    assertThat(throttle.retryAfter("b@x.io", "1.1.1.1")).isZero();
  }

  @Test
  void retryAfter_exactlyMaxAttemptsFromOneAddress_thenBlocksEveryAccount() {
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.retryAfter("fresh@x.io", "9.9.9.9")).as("attempt %d of 5 is allowed", i + 1).isZero();
      throttle.recordAttempt("9.9.9.9");
    }
    assertThat(throttle.retryAfter("fresh@x.io", "9.9.9.9")).isPositive();
    assertThat(throttle.retryAfter("other@x.io", "9.9.9.9")).isPositive();
    assertThat(throttle.retryAfter("fresh@x.io", "8.8.8.8")).isZero();
  }

  @Test
  void retryAfter_ipv6_countedPerSlash64() {
    for (int i = 0; i < 3; i++) {
      throttle.recordFailure("a@x.io", "2001:db8:1:2::" + Integer.toHexString(i + 1));
    }
    assertThat(throttle.retryAfter("a@x.io", "2001:db8:1:2:ffff:ffff:ffff:ffff")).isPositive();
    assertThat(throttle.retryAfter("a@x.io", "2001:db8:1:3::1")).isZero();
  }

  @Test
  void clientOf_keepsIpv4_reducesIpv6() {
    assertThat(LoginThrottle.clientOf("10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(LoginThrottle.clientOf("2001:0db8:0001:0002:0000:0000:0000:0009")).isEqualTo("2001:db8:1:2::/64");
    assertThat(LoginThrottle.clientOf("")).isEmpty();
  }

  @Test
  void recordSuccess_clearsFailuresFromThatAddress() {
    throttle.recordFailure("a@x.io", "1.1.1.1");
    throttle.recordFailure("a@x.io", "1.1.1.1");
    throttle.recordSuccess("a@x.io", "1.1.1.1");
    throttle.recordFailure("a@x.io", "1.1.1.1");
    throttle.recordFailure("a@x.io", "1.1.1.1");
    assertThat(throttle.retryAfter("a@x.io", "1.1.1.1")).isZero();
  }
}
