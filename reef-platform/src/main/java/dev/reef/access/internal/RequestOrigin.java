package dev.reef.access.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The client address of the current request, for the audit log and login throttling. It is the socket's peer
 * address unless REEF_FORWARD_HEADERS tells Reef to trust a proxy's X-Forwarded-For.
 */
final class RequestOrigin {

  private RequestOrigin() {}

  static String currentAddress() {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
      return address(attrs.getRequest());
    }
    return "";
  }

  static String address(HttpServletRequest request) {
    String addr = request.getRemoteAddr();
    return addr == null ? "" : addr;
  }
}
