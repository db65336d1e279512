package dev.reef.secrets;

import java.util.Objects;
import java.util.UUID;

/** A handle to a stored secret. Safe to store, log and compare; worthless without {@link SecretStore}. */
public record SecretRef(UUID id) {

  public SecretRef {
    Objects.requireNonNull(id, "id");
  }
}
