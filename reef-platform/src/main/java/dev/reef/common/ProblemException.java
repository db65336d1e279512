package dev.reef.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error that becomes an RFC 9457 problem response. The detail is shown to the caller, so it must say what went
 * wrong and how to fix it, and must never carry a secret.
 */
public class ProblemException extends RuntimeException {

  private final ProblemType type;
  private final Map<String, Object> properties = new LinkedHashMap<>();

  public ProblemException(ProblemType type, String detail) {
    super(detail, null, false, false);
    this.type = type;
  }

  public ProblemType type() {
    return type;
  }

  public String detail() {
    return getMessage();
  }

  /** Extra members of the problem object, e.g. {@code field} or {@code retryAfterSeconds}. */
  public Map<String, Object> properties() {
    return properties;
  }

  public ProblemException with(String name, Object value) {
    properties.put(name, value);
    return this;
  }
}
