package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.ApiKeyScope;
import dev.reef.access.Caller;
import dev.reef.access.TenantApiKeys.CreatedKey;
import dev.reef.access.TenantPermission;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
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

@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/api-keys")
@Tag(name = "API keys")
class ApiKeysController {

  static final Set<ApiKeyScope> DEFAULT_SCOPES = EnumSet.of(ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.LLM);

  private final AccessGuard guard;
  private final ApiKeyService keys;

  ApiKeysController(AccessGuard guard, ApiKeyService keys) {
    this.guard = guard;
    this.keys = keys;
  }

  record KeyView(String id, String name, String hint, List<String> scopes, String status, Instant createdAt,
      Instant lastUsedAt, Instant revokedAt) {
    static KeyView of(ApiKeyRepository.KeyRow row) {
      return new KeyView(row.id().toString(), row.name(), row.hint(), scopeNames(row.scopes()),
          row.revokedAt() == null ? "active" : "revoked", row.createdAt(), row.lastUsedAt(), row.revokedAt());
    }
  }

  record KeyList(List<KeyView> items) {}

  /** @param scopes any of read, write, admin, llm; default read, write, llm */
  record CreateKey(@NotBlank @Size(max = 100) String name, @Size(max = 4) List<@NotBlank String> scopes) {}

  /** The only response that ever contains the key itself. */
  record CreatedKeyView(String id, String name, String key, String hint, List<String> scopes, Instant createdAt) {}

  @GetMapping
  @Operation(summary = "List API keys (never their secrets)")
  KeyList list(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.API_KEYS_READ);
    return new KeyList(keys.list(tenantId).stream().map(KeyView::of).toList());
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create an API key; the key is in this response only")
  CreatedKeyView create(@PathVariable TenantId tenantId, @Valid @RequestBody CreateKey body) {
    Caller caller = guard.require(tenantId, TenantPermission.API_KEYS_MANAGE);
    Set<ApiKeyScope> scopes = body.scopes() == null ? DEFAULT_SCOPES
        : body.scopes().stream().map(ApiKeyScope::parse)
            .collect(java.util.stream.Collectors.toCollection(() -> EnumSet.noneOf(ApiKeyScope.class)));
    if (caller instanceof Caller.TenantKey key && !key.scopes().containsAll(scopes)) {
      throw new InvalidRequestException("scopes", "a key cannot create a key with scopes it does not have itself");
    }
    UserId createdBy = caller instanceof Caller.User user ? user.userId() : null;
    CreatedKey created = keys.create(tenantId, body.name(), scopes, createdBy, caller.actor());
    return new CreatedKeyView(created.id().toString(), created.name(), created.secret(), created.hint(),
        scopeNames(created.scopes()), created.createdAt());
  }

  @DeleteMapping("/{keyId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Revoke an API key; it stops working at once")
  void revoke(@PathVariable TenantId tenantId, @PathVariable UUID keyId) {
    Caller caller = guard.require(tenantId, TenantPermission.API_KEYS_MANAGE);
    keys.revoke(tenantId, keyId, caller.actor());
  }

  static List<String> scopeNames(Set<ApiKeyScope> scopes) {
    return scopes.stream().map(ApiKeyScope::json).toList();
  }
}
