package dev.reef.platform;

import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds RFC 9457 problem documents, and writes them from places that run before Spring MVC (security filters,
 * the body-size limit), so every error a client sees has the same shape whichever layer refused the request.
 */
@Component
public final class ProblemWriter {

  private final JsonMapper json;

  ProblemWriter(JsonMapper json) {
    this.json = json;
  }

  public static ProblemDetail toDetail(ProblemException e, HttpServletRequest request) {
    return toDetail(e.type(), e.detail(), request, e.properties());
  }

  public static ProblemDetail toDetail(
      ProblemType type, String detail, HttpServletRequest request, java.util.Map<String, Object> properties) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(type.status()), detail);
    problem.setType(type.uri());
    problem.setTitle(type.title());
    if (request != null) {
      problem.setInstance(URI.create(request.getRequestURI()));
    }
    properties.forEach(problem::setProperty);
    return problem;
  }

  public void write(HttpServletRequest request, HttpServletResponse response, ProblemException e) throws IOException {
    write(response, toDetail(e, request));
  }

  public void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(problem.getStatus());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding("UTF-8");
    Object retryAfter = problem.getProperties() == null ? null : problem.getProperties().get("retryAfterSeconds");
    if (retryAfter != null) {
      response.setHeader("Retry-After", retryAfter.toString());
    }
    json.writeValue(response.getOutputStream(), problem);
  }
}
