package dev.reef.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Logs a person in to the dashboard from code (after sign-up) exactly as the login form does: the same throttling
 * and audit records, a new session id, a new CSRF token, and the session remembering who is logged in.
 */
public interface SessionLogin {

  /** @throws dev.reef.common.ProblemException {@code unauthenticated} when the email and password do not match */
  void logIn(String email, String password, HttpServletRequest request, HttpServletResponse response);

  /** Reloads who is signed in to this session from the database (after their email changed). */
  void refresh(HttpServletRequest request, HttpServletResponse response);
}
