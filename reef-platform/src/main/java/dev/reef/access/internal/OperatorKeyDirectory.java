package dev.reef.access.internal;

import dev.reef.access.OperatorKeys;
import dev.reef.common.Actor;
import dev.reef.common.UserId;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** {@link OperatorKeys} for other modules (the dashboard), over the same service as the operator keys API. */
@Component
final class OperatorKeyDirectory implements OperatorKeys {

  private final ApiKeyService keys;

  OperatorKeyDirectory(ApiKeyService keys) {
    this.keys = keys;
  }

  @Override
  public List<OperatorKeyInfo> list() {
    return keys.listOperatorKeys().stream().map(k -> new OperatorKeyInfo(k.id(), k.name(), k.hint(), k.createdAt(),
        k.lastUsedAt(), k.revokedAt())).toList();
  }

  @Override
  public CreatedOperatorKeyInfo create(String name, UserId createdBy, Actor actor) {
    ApiKeyService.CreatedOperatorKey created = keys.createOperatorKey(name, createdBy, actor);
    return new CreatedOperatorKeyInfo(created.id(), created.name(), created.secret(), created.hint(),
        created.createdAt());
  }

  @Override
  public void revoke(UUID keyId, Actor actor) {
    keys.revokeOperatorKey(keyId, actor);
  }
}
