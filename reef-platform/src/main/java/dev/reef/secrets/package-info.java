/**
 * Secrets at rest: envelope encryption (AES-256-GCM) of provider keys, BYOK keys and channel tokens under a
 * versioned master key, and re-encryption when the master key is rotated. Other modules keep only a
 * {@link dev.reef.secrets.SecretRef}; plaintext never leaves this module except to the code that uses it.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Secrets")
package dev.reef.secrets;
