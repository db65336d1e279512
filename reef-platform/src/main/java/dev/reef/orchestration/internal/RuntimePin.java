package dev.reef.orchestration.internal;

import java.time.Instant;

/** A tenant holding its agents of {@code runtime} on {@code version} until {@code until}: rollouts pass them by. */
record RuntimePin(String runtime, String version, Instant until) {

  boolean holdsAt(Instant now) {
    return until.isAfter(now);
  }
}
