package dev.reef.access.internal;

import dev.reef.access.AccessEvents;
import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Email + password login for the dashboard, throttled per account and address and per address, with every success
 * and failure written to the audit log of each tenant the user belongs to (or the platform log for unknown accounts).
 *
 * <p>Deliberately not a bean of its own: Spring Security would also install any {@link AuthenticationProvider} bean
 * in the global (parent) manager, and a failed login would then be tried, and counted, twice.
 */
final class PasswordAuthentication implements AuthenticationProvider {

  /** Refused before the password was even checked: too many recent attempts. */
  static final class LoginThrottledException extends AuthenticationException {
    private final Duration retryAfter;

    LoginThrottledException(Duration retryAfter) {
      super("Too many login attempts; try again in " + Math.max(1, retryAfter.toMinutes()) + " minute(s).");
      this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
      return retryAfter;
    }
  }

  private final DaoAuthenticationProvider passwords;
  private final UserRepository users;
  private final MembershipRepository memberships;
  private final LoginThrottle throttle;
  private final ApplicationEventPublisher events;

  PasswordAuthentication(UserRepository users, MembershipRepository memberships, PasswordEncoder encoder,
      LoginThrottle throttle, ApplicationEventPublisher events) {
    UserDetailsService details = email -> DataScope.callAsPlatform(() -> users.findByEmail(email.trim()))
        .map(u -> new ReefUserDetails(u.id(), u.email(), u.passwordHash(), u.operator()))
        .orElseThrow(() -> new UsernameNotFoundException("no such user"));
    this.passwords = new DaoAuthenticationProvider(details);
    this.passwords.setPasswordEncoder(encoder);
    this.users = users;
    this.memberships = memberships;
    this.throttle = throttle;
    this.events = events;
  }

  @Override
  public Authentication authenticate(Authentication request) {
    String email = EmailAddresses.canonical(String.valueOf(request.getName()));
    String address = RequestOrigin.currentAddress();
    Duration wait = throttle.retryAfter(email, address);
    if (!wait.isZero()) {
      audit(email, address, "throttled");
      throw new LoginThrottledException(wait);
    }
    throttle.recordAttempt(address);
    try {
      Authentication result = passwords.authenticate(
          UsernamePasswordAuthenticationToken.unauthenticated(email, request.getCredentials()));
      ReefUserDetails user = ((ReefUserDetails) result.getPrincipal()).withoutPassword();
      throttle.recordSuccess(email, address);
      Actor actor = new Actor("user", user.userId().toString(), user.email(), address);
      tenantsOf(email).forEach(t -> events.publishEvent(new AccessEvents.LoginSucceeded(t, actor)));
      return UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
    } catch (AuthenticationException e) {
      throttle.recordFailure(email, address);
      audit(email, address, "bad_credentials");
      throw e;
    }
  }

  private void audit(String email, String address, String reason) {
    Optional<UserRepository.UserRow> user = DataScope.callAsPlatform(() -> users.findByEmail(email));
    Actor actor = new Actor("user", user.map(u -> u.id().toString()).orElse(""), truncate(email), address);
    tenantsOf(email).forEach(t -> events.publishEvent(new AccessEvents.LoginFailed(t, actor, reason)));
  }

  /** One audit record per tenant the account belongs to; a platform-level record when it belongs to none. */
  private List<Optional<TenantId>> tenantsOf(String email) {
    return DataScope.callAsPlatform(() -> {
      List<Optional<TenantId>> tenants = users.findByEmail(email)
          .map(u -> memberships.acrossTenants(u.id()).stream().map(m -> Optional.of(m.tenantId())).toList())
          .orElse(List.of());
      return tenants.isEmpty() ? List.of(Optional.<TenantId>empty()) : tenants;
    });
  }

  private static String truncate(String s) {
    return s.length() > 254 ? s.substring(0, 254) : s;
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
