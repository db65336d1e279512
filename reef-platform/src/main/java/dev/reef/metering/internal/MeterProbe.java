package dev.reef.metering.internal;

/** What the {@code meter} health indicator asks a meter. */
interface MeterProbe {

  /** e.g. {@code in-process}, {@code redis}. */
  String implementation();

  /** @throws RuntimeException when the meter's store does not answer */
  void ping();
}
