package dev.reef.access.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.platform.ReefProperties;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Slows password guessing without handing anyone a way to lock others out: at most N failed attempts per account
 * <em>from one client address</em> per window, and at most M attempts of any outcome per client address (which
 * also stops one address cycling through many accounts). A guesser's failures never block the owner logging in
 * from their own address.
 *
 * <p>IPv6 clients are counted per /64, the block one host normally gets, so rotating addresses inside it does not
 * reset the count.
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

  /** How long until the next attempt on this account from this address is allowed, or zero if it is now. */
  Duration retryAfter(String email, String address) {
    Instant now = clock.instant();
    String client = clientOf(address);
    Duration account = wait(windows.getIfPresent(failureKey(email, client)), maxFailuresPerAccount, now);
    Duration addr = wait(windows.getIfPresent(addressKey(client)), maxAttemptsPerAddress, now);
    return account.compareTo(addr) >= 0 ? account : addr;
  }

  void recordAttempt(String address) {
    bump(addressKey(clientOf(address)));
  }

  void recordFailure(String email, String address) {
    bump(failureKey(email, clientOf(address)));
  }

  void recordSuccess(String email, String address) {
    windows.invalidate(failureKey(email, clientOf(address)));
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

  private static String failureKey(String email, String client) {
    return "failures:" + EmailAddresses.canonical(email) + "|" + client;
  }

  private static String addressKey(String client) {
    return "address:" + client;
  }

  /** The address as counted: IPv4 as is, IPv6 reduced to its /64. */
  static String clientOf(String address) {
    if (address == null || address.isEmpty() || address.indexOf(':') < 0) {
      return address == null ? "" : address;
    }
    try {
      // A literal only: getByName parses it without a lookup because it contains ':'.
      InetAddress parsed = InetAddress.getByName(address);
      if (parsed instanceof Inet6Address) {
        byte[] bytes = parsed.getAddress();
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
          prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
      }
      return parsed.getHostAddress();
    } catch (UnknownHostException e) {
      return address;
    }
  }

  private record Window(Instant start, int count) {}
}
