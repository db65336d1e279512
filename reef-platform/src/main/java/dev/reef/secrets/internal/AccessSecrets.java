package dev.reef.secrets.internal;

import dev.reef.access.SealedSecrets;
import dev.reef.secrets.SecretRef;
import dev.reef.secrets.SecretStore;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The access module's secrets, as platform secrets of the secret store (re-wrapped by master key rotation). */
@Component
final class AccessSecrets implements SealedSecrets {

  private final SecretStore store;

  AccessSecrets(SecretStore store) {
    this.store = store;
  }

  @Override
  public UUID seal(String purpose, String plaintext) {
    return store.putPlatform(purpose, plaintext).id();
  }

  @Override
  public String open(UUID ref) {
    return store.reveal(new SecretRef(ref));
  }

  @Override
  public void destroy(UUID ref) {
    store.delete(new SecretRef(ref));
  }
}
