package dev.reef.metering.internal;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Which {@link dev.reef.metering.UsageMeter} runs, decided once at start-up from {@code REEF_METER} and
 * {@code REEF_REDIS_URL}. A choice that cannot work fails the start with a message listing what was tried, in the
 * manner of Testcontainers' provider strategies, rather than silently falling back to per-replica limits.
 */
enum MeterType {
  IN_PROCESS("in-process"),
  REDIS("redis");

  static final String TYPE_PROPERTY = "reef.meter.type";
  static final String REDIS_URL_PROPERTY = "reef.redis.url";

  private final String value;

  MeterType(String value) {
    this.value = value;
  }

  String value() {
    return value;
  }

  /**
   * @param properties looks up a property; blank or null means unset
   * @throws IllegalStateException when the requested meter cannot be built
   */
  static MeterType resolve(UnaryOperator<String> properties) {
    String requested = trim(properties.apply(TYPE_PROPERTY));
    boolean redisUrl = trim(properties.apply(REDIS_URL_PROPERTY)) != null;
    if (requested == null) {
      return redisUrl ? REDIS : IN_PROCESS;
    }
    for (MeterType type : values()) {
      if (type.value.equals(requested.toLowerCase(Locale.ROOT))) {
        if (type == REDIS && !redisUrl) {
          throw new IllegalStateException("No usage meter could be configured. REEF_METER=redis was requested. "
              + "Tried: redis: needs REEF_REDIS_URL (e.g. redis://host:6379), which is not set; in-process: not "
              + "used because REEF_METER asks for redis. Set REEF_REDIS_URL, or REEF_METER=in-process for one "
              + "replica.");
        }
        return type;
      }
    }
    throw new IllegalStateException("No usage meter could be configured. REEF_METER='" + requested
        + "' is not a meter. Tried: in-process (REEF_METER=in-process), redis (REEF_METER=redis with "
        + "REEF_REDIS_URL). Leave REEF_METER unset to pick redis when REEF_REDIS_URL is set, else in-process.");
  }

  private static String trim(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
