package dev.reef.secrets.internal;

import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves every secret onto the current master key by re-wrapping its data key; the ciphertexts stay as they are.
 *
 * <p>Runs in platform scope, one short transaction per batch, walking the secrets in id order so each is visited
 * once even if it cannot be re-wrapped. Idempotent: a second run finds nothing to do. Several replicas may run it
 * at once: a re-wrap applies only if the row still holds the wrapping that was read. Rotations in this process run
 * one at a time, so retiring keys from the keyring file never races a switch of the current key.
 */
@Service
class MasterKeyRotation {

  private static final Logger log = LoggerFactory.getLogger(MasterKeyRotation.class);

  private final SecretRepository secrets;
  private final MasterKeys keys;
  private final EnvelopeCipher cipher;
  private final TransactionTemplate tx;
  private final ApplicationEventPublisher events;
  private final int batchSize;

  MasterKeyRotation(SecretRepository secrets, MasterKeys keys, EnvelopeCipher cipher, TransactionTemplate tx,
      ApplicationEventPublisher events, SecretsProperties properties) {
    this.secrets = secrets;
    this.keys = keys;
    this.cipher = cipher;
    this.tx = tx;
    this.events = events;
    this.batchSize = properties.rotationBatchSize();
  }

  record Result(String currentKeyVersion, long rewrapped, long remainingOnOldKeys) {}

  synchronized Result rotate(boolean generateNewKey, Actor actor) {
    if (generateNewKey) {
      keys.generateNewCurrent();
    }
    Keyring keyring = keys.keyring();
    long rewrapped = rewrapAll(keyring);
    Map<String, Long> counts = countByKeyVersion();
    long remaining = counts.entrySet().stream().filter(e -> !e.getKey().equals(keyring.current().version()))
        .mapToLong(Map.Entry::getValue).sum();
    keys.retireUnused(counts.keySet());
    Result result = new Result(keyring.current().version(), rewrapped, remaining);
    events.publishEvent(new MasterKeyRotated(actor, result.currentKeyVersion(), generateNewKey, rewrapped,
        remaining));
    log.info("Master key rotation: {} secrets re-wrapped under master key {}, {} remain on other keys", rewrapped,
        result.currentKeyVersion(), remaining);
    return result;
  }

  /**
   * Says at start-up what an operator must know: secrets under a key Reef does not have (they cannot be decrypted),
   * and secrets still waiting for a rotation.
   */
  @EventListener(ApplicationReadyEvent.class)
  void reportKeysInUse() {
    Keyring keyring = keys.keyring();
    countByKeyVersion().forEach((version, count) -> {
      if (keyring.find(version).isEmpty()) {
        log.error("{} secrets are encrypted under master key version {}, which is not configured: they cannot be "
            + "decrypted until that key is added to {} (or restored to the keyring file). See docs/secrets.md.",
            count, version, MasterKeys.PREVIOUS_KEYS);
      } else if (!version.equals(keyring.current().version())) {
        log.info("{} secrets are still under the older master key {}; POST /api/v1/operator/secrets/rotate moves "
            + "them to the current key {}", count, version, keyring.current().version());
      }
    });
  }

  /** How many secrets each master key version wraps, across all tenants. */
  Map<String, Long> countByKeyVersion() {
    return DataScope.callAsPlatform(() -> tx.execute(s -> secrets.countByKeyVersionAcrossTenants()));
  }

  private long rewrapAll(Keyring keyring) {
    List<String> old = keyring.previous().stream().map(MasterKey::version).toList();
    if (old.isEmpty()) {
      return 0;
    }
    long rewrapped = 0;
    for (Batch batch = rewrapBatch(keyring, old, null); batch.seen() > 0;
        batch = rewrapBatch(keyring, old, batch.lastId())) {
      rewrapped += batch.rewrapped();
    }
    return rewrapped;
  }

  private record Batch(int seen, int rewrapped, UUID lastId) {}

  private Batch rewrapBatch(Keyring keyring, List<String> oldVersions, UUID after) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> {
      List<SecretRepository.SecretRow> rows = secrets.listUnderKeysAcrossTenants(oldVersions, after, batchSize);
      int rewrapped = (int) rows.stream().filter(row -> rewrap(row, keyring)).count();
      return new Batch(rows.size(), rewrapped, rows.isEmpty() ? after : rows.getLast().id());
    }));
  }

  /** A secret that fails its integrity check stays where it is, counted as remaining, and the rotation goes on. */
  private boolean rewrap(SecretRepository.SecretRow row, Keyring keyring) {
    MasterKey from = keyring.find(row.sealed().keyVersion()).orElseThrow();
    try {
      SealedSecret rewrapped = cipher.rewrap(from, keyring.current(), row.binding(), row.sealed());
      return secrets.rewrapAcrossTenants(row.id(), row.sealed(), rewrapped);
    } catch (IllegalStateException e) {
      log.warn("Secret {} stays under master key {}: {}", row.id(), from.version(), e.getMessage());
      return false;
    }
  }
}
