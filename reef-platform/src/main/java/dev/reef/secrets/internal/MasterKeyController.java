package dev.reef.secrets.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The operator's view of the master keys: which one is current, what each wraps, and rotation. */
@RestController
@RequestMapping("/api/v1/operator/secrets")
@Tag(name = "Operator")
class MasterKeyController {

  private final AccessGuard guard;
  private final MasterKeys keys;
  private final MasterKeyRotation rotation;

  MasterKeyController(AccessGuard guard, MasterKeys keys, MasterKeyRotation rotation) {
    this.guard = guard;
    this.keys = keys;
    this.rotation = rotation;
  }

  /** @param generateNewKey embedded mode only: generate a new key into the keyring file and make it current first */
  record RotateRequest(Boolean generateNewKey) {}

  /**
   * @param configured whether Reef holds this key; secrets under a key that is not configured cannot be decrypted
   * @param secrets how many secrets this key wraps
   */
  record KeyVersionView(String version, boolean current, boolean configured, long secrets) {}

  /** @param keySource {@code environment} (REEF_MASTER_KEY) or {@code keyring-file} (embedded mode) */
  record StatusView(String currentKeyVersion, String keySource, List<KeyVersionView> keyVersions) {}

  @PostMapping("/rotate")
  @Operation(summary = "Re-wrap every secret's data key under the current master key (embedded mode: optionally "
      + "generate a new current key first)")
  MasterKeyRotation.Result rotate(@RequestBody(required = false) RotateRequest body) {
    Caller caller = guard.requireOperator();
    boolean generateNewKey = body != null && Boolean.TRUE.equals(body.generateNewKey());
    return rotation.rotate(generateNewKey, caller.actor());
  }

  @GetMapping("/status")
  @Operation(summary = "The current master key version and how many secrets each key version wraps")
  StatusView status() {
    guard.requireOperator();
    Keyring keyring = keys.keyring();
    Map<String, Long> counts = rotation.countByKeyVersion();
    Set<String> versions = new LinkedHashSet<>(keyring.versions());
    versions.addAll(counts.keySet());
    List<KeyVersionView> views = new ArrayList<>();
    for (String version : versions) {
      views.add(new KeyVersionView(version, version.equals(keyring.current().version()),
          keyring.find(version).isPresent(), counts.getOrDefault(version, 0L)));
    }
    return new StatusView(keyring.current().version(), keys.managesKeyringFile() ? "keyring-file" : "environment",
        views);
  }
}
