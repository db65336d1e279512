package dev.reef.metering.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the Redis meter keeps its counters ({@code REEF_REDIS_*}). Deliberately not Spring Data Redis's
 * {@code spring.data.redis.*}: without {@code REEF_REDIS_URL} nothing about Redis is configured at all.
 *
 * @param url e.g. {@code redis://:password@host:6379/0} or {@code rediss://...} for TLS
 * @param keyPrefix put before every key, so several installations (or tests) can share one Redis
 * @param timeout for connecting and for each command; short, because a slow meter delays every LLM call
 */
@ConfigurationProperties("reef.redis")
record RedisConnectionProperties(String url, String keyPrefix, Duration timeout) {

  RedisConnectionProperties {
    keyPrefix = keyPrefix == null ? "reef:" : keyPrefix;
    timeout = timeout == null || timeout.isZero() || timeout.isNegative() ? Duration.ofMillis(200) : timeout;
  }

  boolean configured() {
    return url != null && !url.isBlank();
  }
}
