package dev.reef.common;

/** Input that is well-formed but not acceptable; names the offending field. */
public final class InvalidRequestException extends ProblemException {

  public InvalidRequestException(String field, String message) {
    super(ProblemType.INVALID_REQUEST, field + ": " + message);
    with("errors", java.util.List.of(new FieldError(field, message)));
  }

  /** One rejected field, as listed in a problem's {@code errors} member. */
  public record FieldError(String field, String message) {}
}
