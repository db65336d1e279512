package dev.reef.common;

/** A resource that does not exist, or that the caller may not know exists (another tenant's). */
public final class NotFoundException extends ProblemException {

  public NotFoundException(String kind, String id) {
    super(ProblemType.NOT_FOUND, "No " + kind + " with id '" + truncate(id) + "'.");
  }

  private static String truncate(String id) {
    return id.length() > 64 ? id.substring(0, 64) + "…" : id;
  }
}
