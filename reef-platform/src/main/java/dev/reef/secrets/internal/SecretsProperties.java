package dev.reef.secrets.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The master keys, bound from {@code reef.secrets.*} ({@code REEF_MASTER_KEY}, {@code REEF_MASTER_KEY_PREVIOUS}).
 * They stay strings here, parsed by {@link MasterKeys}: a failed conversion in Spring's binder would print the value.
 *
 * @param masterKey the current master key, base64 of 32 bytes; unset in embedded mode means the keyring file
 * @param masterKeyPrevious comma-separated older keys, still accepted for decryption until a rotation moves every
 *     secret off them
 * @param rotationBatchSize how many secrets one rotation transaction re-wraps
 */
@ConfigurationProperties("reef.secrets")
record SecretsProperties(String masterKey, String masterKeyPrevious, int rotationBatchSize) {

  SecretsProperties {
    rotationBatchSize = rotationBatchSize <= 0 ? 100 : rotationBatchSize;
  }

  /** Never the keys: a record's default toString would print them into whatever logs this object. */
  @Override
  public String toString() {
    return "SecretsProperties[masterKey=" + (isBlank(masterKey) ? "unset" : "set")
        + ", masterKeyPrevious=" + (isBlank(masterKeyPrevious) ? "unset" : "set")
        + ", rotationBatchSize=" + rotationBatchSize + "]";
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
