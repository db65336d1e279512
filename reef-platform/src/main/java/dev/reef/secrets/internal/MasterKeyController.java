package dev.reef.secrets.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.secrets.MasterKeyAdministration;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
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
  private final MasterKeyRotation rotation;
  private final MasterKeyAdministration operations;

  MasterKeyController(AccessGuard guard, MasterKeyRotation rotation, MasterKeyAdministration operations) {
    this.guard = guard;
    this.rotation = rotation;
    this.operations = operations;
  }

  /** @param generateNewKey embedded mode only: generate a new key into the keyring file and make it current first */
  record RotateRequest(Boolean generateNewKey) {}

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
  MasterKeyAdministration.Status status() {
    guard.requireOperator();
    return operations.status();
  }
}
