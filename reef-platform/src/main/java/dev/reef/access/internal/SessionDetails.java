package dev.reef.access.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.session.Session;

/**
 * What a person's session list shows about each session: where and with what it signed in (kept in the session at
 * sign-in), and a reference to it that is not its id (a session id shown in a page is a cookie waiting to be
 * stolen).
 */
final class SessionDetails {

  private static final String FROM = "reef.session.from";
  private static final String BROWSER = "reef.session.browser";

  private SessionDetails() {}

  /** Remembers, in the session just signed in, where from and with which browser. */
  static void remember(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return;
    }
    session.setAttribute(FROM, RequestOrigin.address(request));
    session.setAttribute(BROWSER, browser(request.getHeader("User-Agent")));
  }

  static String ref(String sessionId) {
    return SecretTokens.sha256("session:" + sessionId).substring(0, 20);
  }

  static String from(Session session) {
    return session.getAttribute(FROM) instanceof String from ? from : "";
  }

  static String browser(Session session) {
    return session.getAttribute(BROWSER) instanceof String browser ? browser : "";
  }

  /** "Chrome on Linux", from a user agent; the raw string is long and mostly noise. */
  static String browser(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return "unknown browser";
    }
    String ua = userAgent;
    String name = ua.contains("Edg/") ? "Edge" : ua.contains("OPR/") ? "Opera" : ua.contains("Firefox/") ? "Firefox"
        : ua.contains("Chrome/") || ua.contains("Chromium/") ? "Chrome" : ua.contains("Safari/") ? "Safari"
        : ua.startsWith("Java-http-client") ? "Java HTTP client" : ua.startsWith("curl/") ? "curl" : "a browser";
    String os = ua.contains("Android") ? "Android" : ua.contains("iPhone") || ua.contains("iPad") ? "iOS"
        : ua.contains("Windows") ? "Windows" : ua.contains("Mac OS X") ? "macOS" : ua.contains("Linux") ? "Linux"
        : null;
    return os == null ? name : name + " on " + os;
  }
}
