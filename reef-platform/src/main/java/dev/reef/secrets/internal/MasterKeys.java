package dev.reef.secrets.internal;

import dev.reef.common.InvalidRequestException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The live keyring and where it came from.
 *
 * <p>Sources, in order: {@code REEF_MASTER_KEY} is the current key and {@code REEF_MASTER_KEY_PREVIOUS} the older
 * ones; with no {@code REEF_MASTER_KEY} in embedded mode, the keyring file in the data dir (generated at first
 * start); with an external database and no key, start-up fails. Only the keyring file can change at run time
 * ({@link #generateNewCurrent}, {@link #retireUnused}); keys from the environment change by restarting.
 *
 * <p>Design note: a new key may only become current once no secret is still being sealed under the old one, or a
 * rotation could count the old key unused, retire it, and then see a late commit store a secret under it. Sealing
 * holds a read lock until its transaction ends; switching the current key takes the write lock.
 */
final class MasterKeys {

  static final String MASTER_KEY = "REEF_MASTER_KEY";
  static final String PREVIOUS_KEYS = "REEF_MASTER_KEY_PREVIOUS";
  private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);
  private static final long SWITCH_WAIT_SECONDS = 30;

  private final Optional<KeyringFile> file;
  /** Versions that come from REEF_MASTER_KEY_PREVIOUS only: kept in memory, never written to the keyring file. */
  private final Set<String> environmentOnly;
  private final SecureRandom random;
  private final ReentrantReadWriteLock sealing = new ReentrantReadWriteLock();
  private volatile Keyring keyring;

  private MasterKeys(Keyring keyring, Optional<KeyringFile> file, Set<String> environmentOnly, SecureRandom random) {
    this.keyring = keyring;
    this.file = file;
    this.environmentOnly = Set.copyOf(environmentOnly);
    this.random = random;
  }

  static MasterKeys load(SecretsProperties properties, boolean embedded, Path dataDir, SecureRandom random) {
    List<MasterKey> previous = parsePrevious(properties.masterKeyPrevious());
    Set<String> previousVersions = new HashSet<>(previous.stream().map(MasterKey::version).toList());
    if (!SecretsProperties.isBlank(properties.masterKey())) {
      MasterKey current = MasterKey.parse(properties.masterKey(),
          MASTER_KEY + " (reef.secrets.master-key)");
      return new MasterKeys(new Keyring(current, previous), Optional.empty(), previousVersions, random);
    }
    if (!embedded) {
      throw new IllegalStateException(MASTER_KEY + " is not set. With an external database (REEF_DATABASE_URL), "
          + "Reef needs a master key to encrypt secrets at rest: generate one with 'openssl rand -base64 32', set "
          + MASTER_KEY + " to it, and keep it safe (stored secrets cannot be decrypted without it). See "
          + "docs/secrets.md.");
    }
    KeyringFile keyringFile = new KeyringFile(dataDir);
    List<MasterKey> keys = new ArrayList<>(keyringFile.readOrCreate(random));
    keys.forEach(k -> previousVersions.remove(k.version()));
    keys.addAll(previous);
    return new MasterKeys(Keyring.of(keys), Optional.of(keyringFile), previousVersions, random);
  }

  private static List<MasterKey> parsePrevious(String text) {
    if (SecretsProperties.isBlank(text)) {
      return List.of();
    }
    String[] parts = text.split(",");
    List<MasterKey> keys = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].isBlank()) {
        keys.add(MasterKey.parse(parts[i], "Key " + (i + 1) + " of " + PREVIOUS_KEYS
            + " (reef.secrets.master-key-previous)"));
      }
    }
    return keys;
  }

  Keyring keyring() {
    return keyring;
  }

  MasterKey current() {
    return keyring.current();
  }

  Optional<MasterKey> find(String version) {
    return keyring.find(version);
  }

  /** Whether Reef keeps the keyring itself (embedded mode without REEF_MASTER_KEY). */
  boolean managesKeyringFile() {
    return file.isPresent();
  }

  Optional<Path> keyringFile() {
    return file.map(KeyringFile::path);
  }

  /**
   * The current key, to wrap a new data key with. The caller must be in a transaction: the key stays current (no
   * rotation switches away from it) until that transaction has committed or rolled back.
   */
  MasterKey currentForSealing() {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      throw new IllegalStateException("Secrets are sealed inside a transaction");
    }
    Lock lock = sealing.readLock();
    lock.lock();
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCompletion(int status) {
        lock.unlock();
      }
    });
    return keyring.current();
  }

  /** Embedded mode: generates a key, makes it current in the keyring file, keeps the old ones for unwrapping. */
  MasterKey generateNewCurrent() {
    KeyringFile keyringFile = file.orElseThrow(() -> new InvalidRequestException("generateNewKey",
        "Reef generates keys only for the keyring file it keeps in embedded mode; " + MASTER_KEY + " is set, so "
            + "set it to a new key (openssl rand -base64 32), move the old one to " + PREVIOUS_KEYS
            + ", restart, and rotate again"));
    Lock lock = sealing.writeLock();
    try {
      if (!lock.tryLock(SWITCH_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new ProblemException(ProblemType.UNAVAILABLE,
            "Secrets are being written in a long-running transaction; try the rotation again shortly.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProblemException(ProblemType.UNAVAILABLE, "Interrupted while waiting to switch the master key.");
    }
    try {
      MasterKey next = MasterKey.generate(random);
      Keyring rotated = keyring.rotatedTo(next);
      keyringFile.write(keysKeptInFile(rotated));
      keyring = rotated;
      log.info("Master key {} is now current in {}; the previous keys stay until no secret uses them",
          next.version(), keyringFile.path());
      return next;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Embedded mode: drops from the keyring file every old key that no secret uses any more. Safe once the current key
   * has been switched: from then on nothing is wrapped under an old key, so a key counted unused stays unused.
   * Keys from the environment are the operator's to remove.
   */
  void retireUnused(Set<String> versionsInUse) {
    if (file.isEmpty()) {
      return;
    }
    Set<String> keep = new HashSet<>(versionsInUse);
    keep.addAll(environmentOnly);
    Keyring before = keyring;
    Keyring after = before.retaining(keep);
    if (after.previous().size() == before.previous().size()) {
      return;
    }
    file.get().write(keysKeptInFile(after));
    keyring = after;
    log.info("Retired master keys {} from {}: no secret uses them any more",
        before.versions().stream().filter(v -> !after.versions().contains(v)).toList(), file.get().path());
  }

  private List<MasterKey> keysKeptInFile(Keyring ring) {
    return ring.all().stream().filter(k -> !environmentOnly.contains(k.version())).toList();
  }
}
