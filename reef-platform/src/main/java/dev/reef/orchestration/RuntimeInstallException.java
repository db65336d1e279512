package dev.reef.orchestration;

/** A runtime could not be installed; the message says why in words an operator can act on. */
public final class RuntimeInstallException extends RuntimeException {

  public RuntimeInstallException(String message, Throwable cause) {
    super(message, cause);
  }
}
