package dev.reef.secrets;

import dev.reef.common.Actor;
import java.util.List;

/**
 * The operator's view of the master keys, for the dashboard: the same as {@code /api/v1/operator/secrets}. Callers
 * check {@code requireOperator} first.
 */
public interface MasterKeyAdministration {

  Status status();

  /** Re-wraps every secret's data key under the current key; {@code generateNewKey} (embedded mode) first makes one. */
  Rotated rotate(boolean generateNewKey, Actor actor);

  /**
   * @param keySource {@code environment} (REEF_MASTER_KEY) or {@code keyring-file} (embedded mode: Reef can make a
   *     new key itself)
   */
  record Status(String currentKeyVersion, String keySource, List<KeyVersion> keyVersions) {}

  /** @param configured whether Reef holds it; @param secrets how many secrets it wraps */
  record KeyVersion(String version, boolean current, boolean configured, long secrets) {}

  record Rotated(String currentKeyVersion, long rewrapped, long remainingOnOldKeys) {}
}
