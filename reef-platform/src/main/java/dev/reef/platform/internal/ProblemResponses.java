package dev.reef.platform.internal;

import dev.reef.common.InvalidRequestException.FieldError;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.platform.DatabaseOutage;
import dev.reef.platform.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every exception that reaches Spring MVC into an RFC 9457 problem with a stable {@code type}, a detail that
 * names the offending field, and never a stack trace. Anything unexpected is logged with an error id that the
 * response repeats, so an operator can find it without the client ever seeing internals.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ProblemResponses extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

  @ExceptionHandler(ProblemException.class)
  ResponseEntity<ProblemDetail> problem(ProblemException e, HttpServletRequest request) {
    return respond(ProblemWriter.toDetail(e, request));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof ProblemException problem) {
        return respond(ProblemWriter.toDetail(problem, request)); // e.g. a malformed tenant id: not found
      }
    }
    if (e.getParameter().hasParameterAnnotation(PathVariable.class)) {
      // A malformed id in a path names nothing that exists: the same answer as an unknown id.
      return respond(ProblemWriter.toDetail(ProblemType.NOT_FOUND,
          "No " + e.getName() + " '" + String.valueOf(e.getValue()) + "'.", request, Map.of()));
    }
    String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
    return invalid(request, e.getName(), "must be a valid " + expected.toLowerCase());
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
    if (DatabaseOutage.causedBy(e)) {
      log.warn("{} {}: the database cannot be reached ({})", request.getMethod(), request.getRequestURI(),
          e.getMessage());
      return respond(ProblemWriter.toDetail(DatabaseOutage.problem(), request));
    }
    String errorId = UUID.randomUUID().toString();
    log.error("Unexpected error {} on {} {}", errorId, request.getMethod(), request.getRequestURI(), e);
    return respond(ProblemWriter.toDetail(ProblemType.INTERNAL,
        "Something went wrong on Reef's side. Quote error id " + errorId + " to your operator.", request,
        Map.of("errorId", errorId)));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    HttpServletRequest servlet = servlet(request);
    for (Throwable c = ex.getCause(); c != null; c = c.getCause()) {
      if (c instanceof ProblemException problem) {
        return asObject(respond(ProblemWriter.toDetail(problem, servlet))); // e.g. the body-size limit mid-read
      }
    }
    Throwable cause = ex.getMostSpecificCause();
    if (cause instanceof UnrecognizedPropertyException unknown) {
      String field = path(unknown);
      return asObject(respond(ProblemWriter.toDetail(ProblemType.UNKNOWN_FIELD,
          "Unknown field '" + field + "'. Known fields: " + unknown.getKnownPropertyIds() + ".", servlet,
          Map.of("errors", List.of(new FieldError(field, "unknown field"))))));
    }
    if (cause instanceof StreamReadException parse) {
      String where = parse.getLocation() == null ? ""
          : " at line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr();
      return asObject(respond(ProblemWriter.toDetail(ProblemType.MALFORMED_JSON,
          "The body is not valid JSON" + where + ": " + parse.getOriginalMessage(), servlet, Map.of())));
    }
    if (cause instanceof InvalidNullException nul) {
      return asObject(invalid(servlet, path(nul), "must not be null"));
    }
    if (cause instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
      return asObject(invalid(servlet, path(jackson), "has the wrong type or format"));
    }
    String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
        ? "A JSON request body is required." : "The request body could not be read as JSON.";
    return asObject(respond(ProblemWriter.toDetail(ProblemType.MALFORMED_JSON, detail, servlet, Map.of())));
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    List<FieldError> errors = ex.getBindingResult().getFieldErrors().stream()
        .map(f -> new FieldError(f.getField(), f.getDefaultMessage()))
        .toList();
    return asObject(invalid(servlet(request), errors));
  }

  @Override
  protected ResponseEntity<Object> handleHandlerMethodValidationException(
      HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    List<FieldError> errors = ex.getParameterValidationResults().stream()
        .flatMap(r -> r.getResolvableErrors().stream().map(err -> new FieldError(
            r.getMethodParameter().getParameterName(), err.getDefaultMessage())))
        .toList();
    return asObject(invalid(servlet(request), errors));
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(
      MissingServletRequestParameterException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return asObject(invalid(servlet(request), ex.getParameterName(), "is required"));
  }

  @Override
  protected ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    HttpServletRequest servlet = servlet(request);
    if (servlet != null && browsingPages(servlet) && request instanceof NativeWebRequest n
        && n.getNativeResponse(jakarta.servlet.http.HttpServletResponse.class) instanceof
            jakarta.servlet.http.HttpServletResponse response) {
      // a person's browser on an address that is no page: the dashboard's "not found" page, not JSON
      try {
        response.sendError(404);
        return null;
      } catch (java.io.IOException e) {
        // the client went away: the problem document below is as good as anything
      }
    }
    return asObject(respond(ProblemWriter.toDetail(ProblemType.NOT_FOUND,
        "No such endpoint: " + ex.getHttpMethod() + " /" + ex.getResourcePath(), servlet(request), Map.of())));
  }

  @Override
  protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(
      HttpRequestMethodNotSupportedException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ResponseEntity<ProblemDetail> response = respond(ProblemWriter.toDetail(ProblemType.METHOD_NOT_ALLOWED,
        ex.getMethod() + " is not supported here; use " + ex.getSupportedHttpMethods() + ".", servlet(request),
        Map.of()));
    HttpHeaders allow = new HttpHeaders();
    allow.putAll(response.getHeaders());
    if (ex.getSupportedHttpMethods() != null) {
      allow.setAllow(ex.getSupportedHttpMethods());
    }
    return new ResponseEntity<>(response.getBody(), allow, response.getStatusCode());
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
      HttpMediaTypeNotSupportedException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return asObject(respond(ProblemWriter.toDetail(ProblemType.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type " + ex.getContentType() + " is not supported; send application/json.", servlet(request),
        Map.of())));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotAcceptable(
      HttpMediaTypeNotAcceptableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return asObject(respond(ProblemWriter.toDetail(ProblemType.NOT_ACCEPTABLE,
        "Cannot produce the requested media type; acceptable: " + ex.getSupportedMediaTypes() + ".",
        servlet(request), Map.of())));
  }

  @Override
  protected ResponseEntity<Object> handleMaxUploadSizeExceededException(
      MaxUploadSizeExceededException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return asObject(respond(ProblemWriter.toDetail(ProblemType.PAYLOAD_TOO_LARGE,
        "The request body is larger than allowed.", servlet(request), Map.of())));
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
    // Any other standard MVC exception: keep Spring's status and detail, but give it one of Reef's types.
    ProblemType type = switch (statusCode.value()) {
      case 400 -> ProblemType.INVALID_REQUEST;
      case 404 -> ProblemType.NOT_FOUND;
      case 405 -> ProblemType.METHOD_NOT_ALLOWED;
      case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
      case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> ProblemType.UNAVAILABLE;
      default -> statusCode.is4xxClientError() ? ProblemType.INVALID_REQUEST : ProblemType.INTERNAL;
    };
    String detail = body instanceof ProblemDetail pd && pd.getDetail() != null ? pd.getDetail() : type.title();
    ProblemDetail problem = ProblemWriter.toDetail(type, detail, servlet(request), Map.of());
    problem.setStatus(statusCode.value());
    return new ResponseEntity<>(problem, problemHeaders(headers), statusCode);
  }

  private static ResponseEntity<ProblemDetail> invalid(HttpServletRequest request, String field, String message) {
    return invalid(request, List.of(new FieldError(field, message)));
  }

  private static ResponseEntity<ProblemDetail> invalid(HttpServletRequest request, List<FieldError> errors) {
    String detail = errors.stream().map(f -> f.field() + ": " + f.message())
        .reduce((a, b) -> a + "; " + b).orElse("The request is invalid.");
    return respond(ProblemWriter.toDetail(ProblemType.INVALID_REQUEST, detail, request, Map.of("errors", errors)));
  }

  private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
    HttpHeaders headers = problemHeaders(new HttpHeaders());
    Object retryAfter = problem.getProperties() == null ? null : problem.getProperties().get("retryAfterSeconds");
    if (retryAfter != null) {
      headers.set(HttpHeaders.RETRY_AFTER, retryAfter.toString());
    }
    return new ResponseEntity<>(problem, headers, HttpStatusCode.valueOf(problem.getStatus()));
  }

  private static HttpHeaders problemHeaders(HttpHeaders base) {
    HttpHeaders headers = new HttpHeaders();
    headers.putAll(base);
    headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    return headers;
  }

  /** Jackson's path to the bad value as a dotted field name, e.g. {@code limits.requestsPerMinute} or {@code a[2]}. */
  private static String path(JacksonException e) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "(body)" : sb.toString();
  }

  @SuppressWarnings("unchecked")
  private static ResponseEntity<Object> asObject(ResponseEntity<? extends Object> response) {
    return (ResponseEntity<Object>) response;
  }

  /** A browser asking for a page (HTML), not a client of the API, actuator or API docs. */
  static boolean browsingPages(HttpServletRequest request) {
    String path = request.getRequestURI();
    String accept = request.getHeader("Accept");
    return accept != null && accept.contains("text/html") && !path.startsWith("/api/") && !path.startsWith("/v1/")
        && !path.startsWith("/actuator") && !path.startsWith("/v3/") && !path.startsWith("/swagger");
  }

  private static HttpServletRequest servlet(WebRequest request) {
    return request instanceof NativeWebRequest n ? n.getNativeRequest(HttpServletRequest.class) : null;
  }
}
