package dev.reef.access;

import java.util.UUID;

/**
 * Where access keeps the few secrets of its own that it must read back (a person's two-factor key), sealed like
 * every other secret Reef stores. Implemented by the {@code secrets} module (which depends on access for its own
 * endpoints, so access names what it needs here instead of depending back).
 */
public interface SealedSecrets {

  /** Seals a secret of the platform (no tenant's); returns its reference. */
  UUID seal(String purpose, String plaintext);

  String open(UUID ref);

  void destroy(UUID ref);
}
