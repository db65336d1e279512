package dev.reef.access.internal;

import dev.reef.access.SessionLogin;
import dev.reef.common.DataScope;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.stereotype.Component;

/**
 * What the form login filter does after a successful password check, for a login that starts in code: the same
 * provider (throttling, audit), the same session strategies the dashboard chain uses (new session id, new CSRF
 * token; Spring Security's defaults, which {@code SecurityConfiguration} keeps), and the context saved in the
 * session.
 */
@Component
final class FormSessionLogin implements SessionLogin {

  private final AuthenticationManager passwords;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
  private final SecurityContextRepository repository = new HttpSessionSecurityContextRepository();
  private final SessionAuthenticationStrategy sessions = new CompositeSessionAuthenticationStrategy(List.of(
      new ChangeSessionIdAuthenticationStrategy(), new CsrfAuthenticationStrategy(new HttpSessionCsrfTokenRepository())));

  private final SecondFactorStep secondFactor;

  private final UserRepository users;

  FormSessionLogin(AuthenticationManager passwords, SecondFactorStep secondFactor, UserRepository users) {
    this.users = users;
    this.passwords = passwords;
    this.secondFactor = secondFactor;
  }

  @Override
  public void logIn(String email, String password, HttpServletRequest request, HttpServletResponse response) {
    Authentication authenticated;
    try {
      authenticated = passwords.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(email, password));
    } catch (AuthenticationException e) {
      throw new ProblemException(ProblemType.UNAUTHENTICATED, "Wrong email or password.");
    }
    request.getSession(true);
    sessions.onAuthentication(authenticated, request, response);
    if (secondFactor.awaitCode(authenticated, request, response)) {
      return; // the next page asks for the code (the login page sends there)
    }
    SecurityContext context = contexts.createEmptyContext();
    context.setAuthentication(authenticated);
    contexts.setContext(context);
    repository.saveContext(context, request, response);
    SessionDetails.remember(request);
  }

  @Override
  public void refresh(HttpServletRequest request, HttpServletResponse response) {
    Authentication current = contexts.getContext().getAuthentication();
    if (current == null || !(current.getPrincipal() instanceof ReefUserDetails signedIn)) {
      return;
    }
    UserRepository.UserRow user = DataScope.callAsPlatform(() -> users.findById(signedIn.userId()))
        .orElseThrow(() -> new ProblemException(ProblemType.UNAUTHENTICATED, "Log in again."));
    ReefUserDetails details = new ReefUserDetails(user.id(), user.email(), null, user.operator());
    SecurityContext context = contexts.createEmptyContext();
    context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(details, null,
        details.getAuthorities()));
    contexts.setContext(context);
    repository.saveContext(context, request, response);
  }
}
