package dev.reef.metering;

/** The meter's store cannot be reached, and the meter is configured to fail closed: the call must be refused (503). */
public final class MeterUnavailableException extends RuntimeException {

  public MeterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
