package dev.reef.access.internal;

import dev.reef.access.Caller;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.platform.DatabaseOutage;
import dev.reef.platform.ProblemWriter;
import dev.reef.platform.ReefProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <secret>} on the API: tenant keys, operator keys, and the master key
 * from {@code REEF_ADMIN_API_KEY}. A presented but unknown or revoked secret is refused here with 401; a request
 * with no credential passes on, and the security rules decide whether it needed one.
 */
final class BearerCredentialFilter extends OncePerRequestFilter {

  private final ApiKeyService keys;
  private final String masterKey;
  private final ProblemWriter problems;

  BearerCredentialFilter(ApiKeyService keys, ReefProperties properties, ProblemWriter problems) {
    this.keys = keys;
    this.masterKey = properties.admin().apiKey();
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String secret = bearer(request);
    if (secret == null) {
      chain.doFilter(request, response);
      return;
    }
    Optional<Caller> caller;
    try {
      caller = resolve(secret, RequestOrigin.address(request));
    } catch (RuntimeException e) {
      if (!DatabaseOutage.causedBy(e)) {
        throw e;
      }
      problems.write(request, response, DatabaseOutage.problem());
      return;
    }
    if (caller.isEmpty()) {
      response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      problems.write(request, response, new ProblemException(ProblemType.UNAUTHENTICATED,
          "The API key is unknown or has been revoked."));
      return;
    }
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(new CallerAuthentication(caller.get()));
    SecurityContextHolder.setContext(context);
    try {
      chain.doFilter(request, response);
    } finally {
      SecurityContextHolder.clearContext();
    }
  }

  private Optional<Caller> resolve(String secret, String address) {
    if (masterKey != null && !masterKey.isBlank() && SecretTokens.constantTimeEquals(secret, masterKey)) {
      return Optional.of(new Caller.OperatorKey(null, "REEF_ADMIN_API_KEY", address));
    }
    return keys.resolve(secret, address);
  }

  static String bearer(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String secret = header.substring(7).trim();
    return secret.isEmpty() ? null : secret;
  }
}
