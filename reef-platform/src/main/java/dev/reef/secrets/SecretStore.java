package dev.reef.secrets;

import dev.reef.common.TenantId;

/**
 * Stores secrets encrypted at rest. Each secret gets its own random data key (AES-256-GCM), itself encrypted by the
 * current master key; the master key's version is stored with it so the master key can be rotated.
 *
 * <p>A tenant's secrets are tenant-owned rows (row-level security applies); platform secrets (the operator's
 * provider keys) have no tenant and are reachable in platform scope only. {@code purpose} is bound into the
 * ciphertext as associated data, so a secret cannot be swapped into another slot undetected.
 */
public interface SecretStore {

  /** Encrypts and stores a tenant's secret, e.g. purpose {@code byok:openai}. */
  SecretRef put(TenantId tenantId, String purpose, String plaintext);

  /** Encrypts and stores a platform secret, e.g. purpose {@code provider:openai}. */
  SecretRef putPlatform(String purpose, String plaintext);

  /** Replaces the plaintext behind an existing reference (same tenant and purpose). */
  void replace(SecretRef ref, String plaintext);

  /** Decrypts; 404-style {@link dev.reef.common.NotFoundException} if it is gone or not visible in this scope. */
  String reveal(SecretRef ref);

  void delete(SecretRef ref);

  /** The last four characters, for showing a stored key as {@code ••••abcd}. */
  static String mask(String plaintext) {
    if (plaintext == null || plaintext.length() < 8) {
      return "••••";
    }
    return "••••" + plaintext.substring(plaintext.length() - 4);
  }
}
