package dev.reef.dashboard.internal;

import dev.reef.common.ProblemException;
import dev.reef.platform.DatabaseOutage;
import dev.reef.common.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Problems on dashboard pages become friendly pages, not JSON: the same statuses as the API (another tenant's page
 * is 404, a missing role 403, a suspended tenant 403), with a sentence a person can act on. Applies to the
 * dashboard's controllers only; the API keeps its problem documents.
 */
@ControllerAdvice(basePackageClasses = DashboardErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
final class DashboardErrors {

  private static final Logger log = LoggerFactory.getLogger(DashboardErrors.class);

  /** What the error page says. */
  public record Problem(int status, String title, String message) {}

  private final Navigation navigation;

  DashboardErrors(Navigation navigation) {
    this.navigation = navigation;
  }

  @ExceptionHandler(ProblemException.class)
  String problem(ProblemException e, HttpServletResponse response, Model model) {
    return show(describe(e), response, model);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  String malformed(MethodArgumentTypeMismatchException e, HttpServletResponse response, Model model) {
    // a malformed id names nothing that exists: the same page as an unknown one
    return show(describe(new ProblemException(ProblemType.NOT_FOUND, "")), response, model);
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  String missing(MissingServletRequestParameterException e, HttpServletResponse response, Model model) {
    return show(new Problem(400, "Something is missing", "The form was sent without '" + e.getParameterName()
        + "'. Go back and fill it in."), response, model);
  }

  /** The browser went away (a live log or chat was closed): nothing to show, and nothing went wrong. */
  @ExceptionHandler(org.springframework.web.context.request.async.AsyncRequestNotUsableException.class)
  void browserLeft() {
  }

  @ExceptionHandler(Exception.class)
  String unexpected(Exception e, HttpServletRequest request, HttpServletResponse response, Model model) {
    if (DatabaseOutage.causedBy(e)) {
      return show(describe(DatabaseOutage.problem()), response, model);
    }
    String errorId = UUID.randomUUID().toString();
    log.error("Unexpected error {} on {} {}", errorId, request.getMethod(), request.getRequestURI(), e);
    return show(new Problem(500, "Something went wrong",
        "Reef could not complete this. If it keeps happening, tell your operator error id " + errorId + "."),
        response, model);
  }

  static Problem describe(ProblemException e) {
    return switch (e.type()) {
      case NOT_FOUND -> new Problem(404, "Not found",
          "There is nothing here, or it belongs to a tenant you are not a member of.");
      case TENANT_SUSPENDED -> new Problem(403, "This tenant is suspended",
          "Its agents are stopped and its keys refused until the platform operator resumes it. "
              + "Contact your operator if you think this is a mistake.");
      case FORBIDDEN -> new Problem(403, "Not allowed", e.detail());
      case UNAUTHENTICATED -> new Problem(401, "Please log in", e.detail());
      default -> new Problem(e.type().status(), e.type().title(), e.detail());
    };
  }

  private String show(Problem problem, HttpServletResponse response, Model model) {
    response.setStatus(problem.status());
    navigation.frameIfLoggedIn(model);
    model.addAttribute("problem", problem);
    return "error";
  }
}
