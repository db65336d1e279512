package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.common.UserId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Operator API keys ({@code reef_op_...}): platform-wide rights for automation, like REEF_ADMIN_API_KEY. */
@RestController
@RequestMapping("/api/v1/operator/api-keys")
@Tag(name = "Operator")
class OperatorKeysController {

  private final AccessGuard guard;
  private final ApiKeyService keys;

  OperatorKeysController(AccessGuard guard, ApiKeyService keys) {
    this.guard = guard;
    this.keys = keys;
  }

  record OperatorKeyView(String id, String name, String hint, String status, Instant createdAt, Instant lastUsedAt,
      Instant revokedAt) {}

  record OperatorKeyList(List<OperatorKeyView> items) {}

  record CreateOperatorKey(@NotBlank @Size(max = 100) String name) {}

  record CreatedOperatorKeyView(String id, String name, String key, String hint, Instant createdAt) {}

  @GetMapping
  @Operation(summary = "List operator API keys")
  OperatorKeyList list() {
    guard.requireOperator();
    return new OperatorKeyList(keys.listOperatorKeys().stream()
        .map(k -> new OperatorKeyView(k.id().toString(), k.name(), k.hint(),
            k.revokedAt() == null ? "active" : "revoked", k.createdAt(), k.lastUsedAt(), k.revokedAt()))
        .toList());
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create an operator API key; the key is in this response only")
  CreatedOperatorKeyView create(@Valid @RequestBody CreateOperatorKey body) {
    Caller caller = guard.requireOperator();
    UserId by = caller instanceof Caller.User user ? user.userId() : null;
    ApiKeyService.CreatedOperatorKey created = keys.createOperatorKey(body.name(), by, caller.actor());
    return new CreatedOperatorKeyView(created.id().toString(), created.name(), created.secret(), created.hint(),
        created.createdAt());
  }

  @DeleteMapping("/{keyId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Revoke an operator API key")
  void revoke(@PathVariable UUID keyId) {
    Caller caller = guard.requireOperator();
    keys.revokeOperatorKey(keyId, caller.actor());
  }
}
