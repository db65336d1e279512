package dev.reef.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;

/**
 * The second step of a login for a person with {@link TwoFactor} on: their password was right, but the session is
 * not signed in until a code from their app (or a recovery code) is given, within a few minutes.
 */
public interface SecondFactorLogin {

  /** The address whose password was just accepted and whose code is awaited in this session, if any. */
  Optional<String> pending(HttpServletRequest request);

  /**
   * Checks the code and signs the session in (a new session id and CSRF token, as a password login does).
   *
   * @throws dev.reef.common.ProblemException 400 for a wrong code, 429 after too many, 401 when no login awaits one
   */
  void complete(String code, HttpServletRequest request, HttpServletResponse response);
}
