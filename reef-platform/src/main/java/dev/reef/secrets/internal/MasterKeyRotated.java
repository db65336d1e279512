package dev.reef.secrets.internal;

import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.TenantId;
import java.util.Map;
import java.util.Optional;

/** A master key rotation, in the platform audit log. Key versions only: never a key. */
record MasterKeyRotated(Actor actor, String currentKeyVersion, boolean generatedNewKey, long rewrapped,
    long remainingOnOldKeys) implements AuditableEvent {

  @Override
  public Optional<TenantId> tenantId() {
    return Optional.empty();
  }

  @Override
  public String action() {
    return "secrets.master_key_rotated";
  }

  @Override
  public Map<String, Object> details() {
    return Map.of("currentKeyVersion", currentKeyVersion, "generatedNewKey", generatedNewKey,
        "rewrapped", rewrapped, "remainingOnOldKeys", remainingOnOldKeys);
  }
}
