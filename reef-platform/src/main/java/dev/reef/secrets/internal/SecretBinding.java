package dev.reef.secrets.internal;

import dev.reef.common.TenantId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * What a sealed secret belongs to: its row, its tenant (null for a platform secret) and its purpose. Both
 * ciphertexts of a secret carry this as AES-GCM associated data, so a ciphertext moved to another row, tenant or
 * purpose fails its integrity check instead of decrypting in the wrong place.
 */
record SecretBinding(UUID id, TenantId tenantId, String purpose) {

  /** Which of the two ciphertexts the associated data is for: they must never be swappable either. */
  enum Layer { DATA, DATA_KEY }

  SecretBinding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(purpose, "purpose");
  }

  /**
   * Unambiguous because every field but the last has a fixed form (a UUID, or "platform", which no UUID is), and
   * the purpose comes last.
   */
  byte[] associatedData(Layer layer) {
    String owner = tenantId == null ? "platform" : tenantId.toString();
    return ("reef-secret/v1/" + layer.name().toLowerCase() + "\n" + id + "\n" + owner + "\n" + purpose)
        .getBytes(StandardCharsets.UTF_8);
  }
}
