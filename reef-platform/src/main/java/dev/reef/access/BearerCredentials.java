package dev.reef.access;

import java.util.Optional;

/**
 * Resolves a presented bearer secret to its caller, for entry points outside Spring Security's API chain (the LLM
 * proxy). Cached briefly so the hot path does not hit the database; a key revoked on this replica stops working at
 * once, on other replicas within the cache time (seconds).
 */
public interface BearerCredentials {

  Optional<Caller> resolve(String secret, String sourceAddress);
}
