package dev.reef.dashboard.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.ui.ExtendedModelMap;
import org.springframework.web.servlet.ModelAndView;

/**
 * Errors no controller handled (an address that is no page, a failure in the servlet container) as a browser sees
 * them: the dashboard's error page, with its navigation for a logged-in person, never JSON or a white-label page.
 * API clients keep their problem documents (they do not ask for HTML).
 */
@Component
final class DashboardErrorViews implements ErrorViewResolver {

  private final Navigation navigation;

  DashboardErrorViews(Navigation navigation) {
    this.navigation = navigation;
  }

  @Override
  public ModelAndView resolveErrorView(HttpServletRequest request, HttpStatus status, Map<String, Object> model) {
    ExtendedModelMap page = new ExtendedModelMap();
    navigation.frameIfLoggedIn(page);
    page.addAttribute("problem", switch (status) {
      case NOT_FOUND -> new DashboardErrors.Problem(404, "Not found", "There is nothing at this address. It may have "
          + "moved, or belong to a tenant you are not a member of.");
      case FORBIDDEN -> new DashboardErrors.Problem(403, "Not allowed", "You may not see this page.");
      case METHOD_NOT_ALLOWED -> new DashboardErrors.Problem(405, "Not here", "This address is not a page to open.");
      default -> status.is4xxClientError()
          ? new DashboardErrors.Problem(status.value(), status.getReasonPhrase(), "Reef could not use this request.")
          : new DashboardErrors.Problem(status.value(), "Something went wrong",
              "Reef could not complete this. If it keeps happening, tell your operator the time it happened.");
    });
    return new ModelAndView("error", new HashMap<>(page), status);
  }
}
