package dev.reef.access.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.platform.ReefProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Slows password guessing: per account, at most N failed attempts per window; per client address, at most M
 * attempts of any outcome per window (which also stops one address cycling through many accounts).
 *
 * <p>Design note: fixed windows held in memory, bounded by Caffeine. Counting per replica means a guesser spread
 * over R replicas gets R times the attempts; still a hard ceiling, and the audit log sees every failure.
 */
@Component
final class LoginThrottle {

  private final int maxFailuresPerAccount;
  private final int maxAttemptsPerAddress;
  private final Duration window;
  private final Clock clock;
  private final Cache<String, Window> windows;

  LoginThrottle(ReefProperties properties, Clock clock) {
    this.maxFailuresPerAccount = properties.login().maxFailuresPerAccount();
    this.maxAttemptsPerAddress = properties.login().maxAttemptsPerAddress();
    this.window = properties.login().window();
    this.clock = clock;
    this.windows = Caffeine.newBuilder().maximumSize(200_000).build();
  }

  /** How long until the next attempt is allowed, or zero if it is allowed now. */
  Duration retryAfter(String email, String address) {
    Instant now = clock.instant();
    Duration account = wait(windows.getIfPresent(accountKey(email)), maxFailuresPerAccount, now);
    Duration addr = wait(windows.getIfPresent(addressKey(address)), maxAttemptsPerAddress, now);
    return account.compareTo(addr) >= 0 ? account : addr;
  }

  void recordAttempt(String address) {
    bump(addressKey(address));
  }

  void recordFailure(String email) {
    bump(accountKey(email));
  }

  void recordSuccess(String email) {
    windows.invalidate(accountKey(email));
  }

  private Duration wait(Window w, int max, Instant now) {
    if (w == null || w.count() < max || !now.isBefore(w.start().plus(window))) {
      return Duration.ZERO;
    }
    return Duration.between(now, w.start().plus(window));
  }

  private void bump(String key) {
    Instant now = clock.instant();
    windows.asMap().compute(key, (k, w) -> w == null || !now.isBefore(w.start().plus(window))
        ? new Window(now, 1) : new Window(w.start(), w.count() + 1));
  }

  private static String accountKey(String email) {
    return "account:" + (email == null ? "" : email.trim().toLowerCase());
  }

  private static String addressKey(String address) {
    return "address:" + address;
  }

  private record Window(Instant start, int count) {}
}
