package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.UserAccounts;
import dev.reef.common.DataScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * A person whose password was chosen for them (the first operator's, generated and printed once) is sent to the
 * account page from every dashboard page until they replace it: a password that went through a console or a chat
 * is not one to keep.
 */
@Component
final class PasswordChangeFirst implements HandlerInterceptor,
    org.springframework.web.servlet.config.annotation.WebMvcConfigurer {

  private final AccessGuard guard;
  private final UserAccounts users;

  PasswordChangeFirst(AccessGuard guard, UserAccounts users) {
    this.guard = guard;
    this.users = users;
  }

  @Override
  public void addInterceptors(org.springframework.web.servlet.config.annotation.InterceptorRegistry registry) {
    // the dashboard's pages only; static files, the API and the LLM proxy are not pages
    registry.addInterceptor(this).excludePathPatterns("/css/**", "/js/**", "/images/**", "/webjars/**",
        "/favicon.ico", "/error", "/login", "/logout", "/account", "/account/**", "/api/**", "/v1/**",
        "/actuator/**", "/v3/**", "/swagger-ui/**", "/swagger-ui.html");
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws Exception {
    String path = request.getRequestURI();
    if (!"GET".equals(request.getMethod()) || path.startsWith("/account") || path.startsWith("/api/")
        || path.startsWith("/v1/")) {
      return true;
    }
    Caller caller;
    try {
      caller = guard.caller();
    } catch (RuntimeException notLoggedIn) {
      return true;
    }
    if (caller instanceof Caller.User user
        && DataScope.callAsPlatform(() -> users.mustChangePassword(user.userId()))) {
      response.sendRedirect(request.getContextPath() + "/account?change-password");
      return false;
    }
    return true;
  }
}
