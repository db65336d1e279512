package dev.reef.secrets.internal;

import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link SecretStore} by envelope encryption. Visibility follows the thread's {@link DataScope}, like row-level
 * security does on PostgreSQL (and so on H2 too, which has none): in a tenant's scope only that tenant's secrets
 * exist; in platform scope every secret does; with no scope, none. What is not visible is not found.
 */
@Service
@Transactional
class EnvelopeSecretStore implements SecretStore {

  /** Provider keys and tokens are short; a limit keeps a misused store from holding documents. */
  static final int MAX_PLAINTEXT_BYTES = 64 * 1024;
  private static final Pattern PURPOSE = Pattern.compile("[\\x21-\\x7E]{1,200}");
  private static final Logger log = LoggerFactory.getLogger(EnvelopeSecretStore.class);

  private final SecretRepository secrets;
  private final MasterKeys keys;
  private final EnvelopeCipher cipher;
  private final Clock clock;

  EnvelopeSecretStore(SecretRepository secrets, MasterKeys keys, EnvelopeCipher cipher, Clock clock) {
    this.secrets = secrets;
    this.keys = keys;
    this.cipher = cipher;
    this.clock = clock;
  }

  @Override
  public SecretRef put(TenantId tenantId, String purpose, String plaintext) {
    Objects.requireNonNull(tenantId, "tenantId");
    if (!visibleIn(DataScope.current().orElse(null), tenantId)) {
      throw new NotFoundException("tenant", tenantId.toString());
    }
    SecretRepository.SecretRow row = seal(new SecretBinding(UUID.randomUUID(), tenantId, checkPurpose(purpose)),
        plaintext);
    secrets.insert(tenantId, row);
    log.debug("Stored secret {} ({}) of tenant {} under master key {}", row.id(), row.purpose(), tenantId,
        row.sealed().keyVersion());
    return new SecretRef(row.id());
  }

  @Override
  public SecretRef putPlatform(String purpose, String plaintext) {
    if (!(DataScope.current().orElse(null) instanceof DataScope.Platform)) {
      throw new IllegalStateException("Platform secrets are stored in platform scope only (DataScope.callAsPlatform)");
    }
    SecretRepository.SecretRow row = seal(new SecretBinding(UUID.randomUUID(), null, checkPurpose(purpose)),
        plaintext);
    secrets.insertPlatform(row);
    log.debug("Stored platform secret {} ({}) under master key {}", row.id(), row.purpose(),
        row.sealed().keyVersion());
    return new SecretRef(row.id());
  }

  @Override
  public void replace(SecretRef ref, String plaintext) {
    SecretRepository.SecretRow existing = findVisible(ref);
    SecretRepository.SecretRow row = seal(existing.binding(), plaintext);
    Instant now = row.updatedAt();
    boolean updated = existing.tenantId() == null
        ? secrets.updatePlatform(ref.id(), row.sealed(), now)
        : secrets.update(existing.tenantId(), ref.id(), row.sealed(), now);
    if (!updated) {
      throw notFound(ref);
    }
    log.debug("Replaced secret {} under master key {}", ref.id(), row.sealed().keyVersion());
  }

  @Override
  @Transactional(readOnly = true)
  public String reveal(SecretRef ref) {
    SecretRepository.SecretRow row = findVisible(ref);
    String version = row.sealed().keyVersion();
    MasterKey key = keys.find(version).orElseThrow(() -> new IllegalStateException("Secret " + ref.id()
        + " is encrypted under master key version " + version + ", which is not configured. Add that key to "
        + MasterKeys.PREVIOUS_KEYS + " (or restore it to the keyring file) and restart; see docs/secrets.md."));
    log.debug("Revealing secret {} ({})", ref.id(), row.purpose());
    return cipher.open(key, row.binding(), row.sealed());
  }

  @Override
  public void delete(SecretRef ref) {
    SecretRepository.SecretRow existing = findVisible(ref);
    boolean deleted = existing.tenantId() == null
        ? secrets.deletePlatform(ref.id())
        : secrets.delete(existing.tenantId(), ref.id());
    if (!deleted) {
      throw notFound(ref);
    }
    log.debug("Deleted secret {} ({})", ref.id(), existing.purpose());
  }

  private SecretRepository.SecretRow seal(SecretBinding binding, String plaintext) {
    checkPlaintext(plaintext);
    SealedSecret sealed = cipher.seal(keys.currentForSealing(), binding, plaintext);
    Instant now = clock.instant();
    return new SecretRepository.SecretRow(binding.id(), binding.tenantId(), binding.purpose(), sealed, now, now);
  }

  private SecretRepository.SecretRow findVisible(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    Optional<SecretRepository.SecretRow> row = switch (DataScope.current().orElse(null)) {
      case DataScope.Tenant t -> secrets.find(t.tenantId(), ref.id());
      case DataScope.Platform p -> secrets.findAcrossTenants(ref.id());
      case null -> Optional.empty();
    };
    return row.orElseThrow(() -> notFound(ref));
  }

  private static boolean visibleIn(DataScope scope, TenantId tenantId) {
    return switch (scope) {
      case DataScope.Tenant t -> t.tenantId().equals(tenantId);
      case DataScope.Platform p -> true;
      case null -> false;
    };
  }

  private static NotFoundException notFound(SecretRef ref) {
    return new NotFoundException("secret", ref.id().toString());
  }

  private static String checkPurpose(String purpose) {
    if (purpose == null || !PURPOSE.matcher(purpose).matches()) {
      throw new IllegalArgumentException("A secret's purpose is 1 to 200 visible ASCII characters without spaces, "
          + "like byok:openai");
    }
    return purpose;
  }

  /** The message says what is wrong with the plaintext, never what it is. */
  private static void checkPlaintext(String plaintext) {
    if (plaintext == null || plaintext.isEmpty()) {
      throw new IllegalArgumentException("A secret must not be empty");
    }
    if (plaintext.length() > MAX_PLAINTEXT_BYTES
        || plaintext.getBytes(StandardCharsets.UTF_8).length > MAX_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException("A secret is at most " + MAX_PLAINTEXT_BYTES + " bytes");
    }
  }
}
