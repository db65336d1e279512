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

  /** {@code closed} (calls go through), {@code open} (skipped), or {@code half-open} (trial calls). */
  public String state(String provider) {
    return registry.find(provider).map(breaker -> name(breaker.getState())).orElse("closed");
  }

  /** The providers whose circuit is not closed, with its state. */
  public java.util.Map<String, String> notClosed() {
    java.util.Map<String, String> states = new java.util.TreeMap<>();
    registry.getAllCircuitBreakers().forEach(breaker -> {
      if (breaker.getState() != CircuitBreaker.State.CLOSED) {
        states.put(breaker.getName(), name(breaker.getState()));
      }
    });
    return states;
  }

  private static String name(CircuitBreaker.State state) {
    return state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
