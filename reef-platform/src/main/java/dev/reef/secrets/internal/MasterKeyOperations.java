package dev.reef.secrets.internal;

import dev.reef.common.Actor;
import dev.reef.secrets.MasterKeyAdministration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** {@link MasterKeyAdministration} over the same keyring and rotation as the operator's secrets API. */
@Component
final class MasterKeyOperations implements MasterKeyAdministration {

  private final MasterKeys keys;
  private final MasterKeyRotation rotation;

  MasterKeyOperations(MasterKeys keys, MasterKeyRotation rotation) {
    this.keys = keys;
    this.rotation = rotation;
  }

  @Override
  public Status status() {
    Keyring keyring = keys.keyring();
    Map<String, Long> counts = rotation.countByKeyVersion();
    Set<String> versions = new LinkedHashSet<>(keyring.versions());
    versions.addAll(counts.keySet());
    List<KeyVersion> views = new ArrayList<>();
    for (String version : versions) {
      views.add(new KeyVersion(version, version.equals(keyring.current().version()),
          keyring.find(version).isPresent(), counts.getOrDefault(version, 0L)));
    }
    return new Status(keyring.current().version(), keys.managesKeyringFile() ? "keyring-file" : "environment", views);
  }

  @Override
  public Rotated rotate(boolean generateNewKey, Actor actor) {
    MasterKeyRotation.Result result = rotation.rotate(generateNewKey, actor);
    return new Rotated(result.currentKeyVersion(), result.rewrapped(), result.remainingOnOldKeys());
  }
}
