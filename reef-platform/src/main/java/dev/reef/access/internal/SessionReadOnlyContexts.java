package dev.reef.access.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Supplier;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * The API's view of dashboard sessions: it reads who is signed in to an existing session, and never writes one (a
 * bearer key's caller must not land in a person's session, and an API call must not create sessions).
 */
final class SessionReadOnlyContexts implements SecurityContextRepository {

  private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

  SessionReadOnlyContexts() {
    sessions.setAllowSessionCreation(false);
  }

  @Override
  public org.springframework.security.core.context.DeferredSecurityContext loadDeferredContext(
      HttpServletRequest request) {
    return sessions.loadDeferredContext(request);
  }

  @Override
  @SuppressWarnings("deprecation")
  public SecurityContext loadContext(HttpRequestResponseHolder holder) {
    return sessions.loadContext(holder);
  }

  @Override
  public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
    // read-only
  }

  /** True, so nothing downstream tries to save a context "missing" from the session. */
  @Override
  public boolean containsContext(HttpServletRequest request) {
    return true;
  }
}
