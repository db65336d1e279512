package dev.reef.gateway.internal.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The fair gate of each provider key: the platform's key of a provider is one gate shared by every tenant; a
 * tenant's own key (BYOK) is a gate of its own, so its traffic never takes the platform's capacity.
 */
@Component
public final class ProviderGates {

  private final Cache<String, FairGate> gates =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(6)).maximumSize(50_000).build();

  /** @param keyFingerprint a non-secret identifier of the key in use (not the key) */
  public FairGate gate(String provider, String keyFingerprint, int capacity) {
    return gates.get(provider + '|' + keyFingerprint + '|' + capacity, k -> new FairGate(capacity));
  }
}
