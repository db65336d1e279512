package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The tenant wall in front of every route with a {@code {tenantId}} in its path, before the request body is even
 * read: a caller outside the tenant gets 404 whatever it sent. Each endpoint still starts with its own
 * {@link AccessGuard#require} for the operation's role and scope; this makes forgetting that a 403-vs-404 bug
 * rather than a leak. Also clears the request's data scope when the request ends.
 */
@Configuration(proxyBeanMethods = false)
class TenantPathInterceptor implements HandlerInterceptor, WebMvcConfigurer {

  private final AccessGuard guard;

  TenantPathInterceptor(AccessGuard guard) {
    this.guard = guard;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(this);
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    if (request.getDispatcherType() == DispatcherType.ASYNC) {
      return true; // the end of a streamed response: the request was checked when it began
    }
    DataScope.clear();
    if (handler instanceof HandlerMethod
        && request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> vars
        && vars.get("tenantId") instanceof String tenantId) {
      guard.requireVisible(TenantId.parse(tenantId));
    }
    return true;
  }

  @Override
  public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
      Exception ex) {
    DataScope.clear();
  }
}
