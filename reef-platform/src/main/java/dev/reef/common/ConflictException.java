package dev.reef.common;

/** The request clashes with the current state (a taken slug, removing the last owner, ...). */
public final class ConflictException extends ProblemException {

  public ConflictException(String detail) {
    super(ProblemType.CONFLICT, detail);
  }
}
