package dev.reef.access.internal;

import dev.reef.access.SecondFactorLogin;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.stereotype.Component;

/**
 * The login's second step. After the password of a person with two-factor login on, the session is taken back to
 * signed out and remembers only who is waiting for a code (for {@link #PENDING_FOR}); the code then signs it in as
 * the password would have. Wrong codes count against the account like wrong passwords, on their own counter.
 */
@Component
final class SecondFactorStep implements SecondFactorLogin, AuthenticationSuccessHandler {

  static final String CODE_PAGE = "/login/code";
  private static final String PENDING = SecondFactorStep.class.getName() + ".pending";
  private static final Duration PENDING_FOR = Duration.ofMinutes(5);

  private final TwoFactorService twoFactor;
  private final LoginThrottle throttle;
  private final Clock clock;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
  private final SecurityContextRepository repository = new HttpSessionSecurityContextRepository();
  private final SessionAuthenticationStrategy sessions = new CompositeSessionAuthenticationStrategy(List.of(
      new ChangeSessionIdAuthenticationStrategy(), new CsrfAuthenticationStrategy(new HttpSessionCsrfTokenRepository())));
  private final SavedRequestAwareAuthenticationSuccessHandler signedIn = new SavedRequestAwareAuthenticationSuccessHandler();

  SecondFactorStep(TwoFactorService twoFactor, LoginThrottle throttle, Clock clock) {
    this.twoFactor = twoFactor;
    this.throttle = throttle;
    this.clock = clock;
    signedIn.setDefaultTargetUrl("/");
  }

  private record Pending(ReefUserDetails user, Instant until) implements Serializable {}

  /** After a right password: signed in, or (two-factor on) waiting for the code. */
  @Override
  public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
      Authentication authentication) throws IOException, jakarta.servlet.ServletException {
    if (!awaitCode(authentication, request, response)) {
      SessionDetails.remember(request);
      signedIn.onAuthenticationSuccess(request, response, authentication);
      return;
    }
    response.sendRedirect(request.getContextPath() + CODE_PAGE);
  }

  /**
   * When the person has two-factor login on, undoes the sign-in just made and waits for the code; true then.
   */
  boolean awaitCode(Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
    if (!(authentication.getPrincipal() instanceof ReefUserDetails user) || !twoFactor.enabled(user.userId())) {
      return false;
    }
    SecurityContext empty = contexts.createEmptyContext();
    contexts.setContext(empty);
    repository.saveContext(empty, request, response);
    request.getSession(true).setAttribute(PENDING, new Pending(user.withoutPassword(),
        clock.instant().plus(PENDING_FOR)));
    return true;
  }

  @Override
  public Optional<String> pending(HttpServletRequest request) {
    return pendingIn(request).map(p -> p.user().email());
  }

  @Override
  public void complete(String code, HttpServletRequest request, HttpServletResponse response) {
    Pending pending = pendingIn(request).orElseThrow(() -> new ProblemException(ProblemType.UNAUTHENTICATED,
        "The login timed out: enter your email and password again."));
    String key = "second-factor:" + pending.user().email();
    String address = RequestOrigin.currentAddress();
    Duration wait = throttle.retryAfter(key, address);
    if (!wait.isZero()) {
      throw new ProblemException(ProblemType.TOO_MANY_REQUESTS, "Too many wrong codes: try again in "
          + Math.max(1, wait.toMinutes()) + " minutes.").with("retryAfterSeconds", wait.toSeconds());
    }
    throttle.recordAttempt(address);
    if (!twoFactor.accept(pending.user().userId(), code)) {
      throttle.recordFailure(key, address);
      throw new ProblemException(ProblemType.INVALID_REQUEST,
          "That is not the code your app shows now, nor an unused recovery code.");
    }
    throttle.recordSuccess(key, address);
    request.getSession().removeAttribute(PENDING);
    Authentication authenticated = UsernamePasswordAuthenticationToken.authenticated(pending.user(), null,
        pending.user().getAuthorities());
    sessions.onAuthentication(authenticated, request, response);
    SecurityContext context = contexts.createEmptyContext();
    context.setAuthentication(authenticated);
    contexts.setContext(context);
    repository.saveContext(context, request, response);
    SessionDetails.remember(request);
  }

  private Optional<Pending> pendingIn(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null || !(session.getAttribute(PENDING) instanceof Pending pending)) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(pending.until())) {
      session.removeAttribute(PENDING);
      return Optional.empty();
    }
    return Optional.of(pending);
  }
}
