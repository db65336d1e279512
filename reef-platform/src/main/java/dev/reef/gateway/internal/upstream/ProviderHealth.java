package dev.reef.gateway.internal.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * One circuit breaker per provider: after most of the recent calls failed (connection errors, timeouts, 5xx), the
 * provider is skipped - its fallbacks serve instead - until a few trial calls succeed again. Client errors (4xx)
 * and rate limits are the provider working normally and do not count.
 */
@Component
public final class ProviderHealth {

  private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
      .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
      .slidingWindowSize(20)
      .minimumNumberOfCalls(10)
      .failureRateThreshold(50)
      .waitDurationInOpenState(Duration.ofSeconds(30))
      .permittedNumberOfCallsInHalfOpenState(3)
      .automaticTransitionFromOpenToHalfOpenEnabled(false)
      .build());

  public CircuitBreaker of(String provider) {
    return registry.circuitBreaker(provider);
  }
}
