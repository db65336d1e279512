package dev.reef.access;

import dev.reef.common.Actor;
import dev.reef.common.UserId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Operator API keys ({@code reef_op_…}: platform-wide rights for automation), for the dashboard's operator page. The
 * caller checks {@code requireOperator} first.
 */
public interface OperatorKeys {

  /** Newest first, revoked ones included; never their secrets. */
  List<OperatorKeyInfo> list();

  /** Creates one; the secret is in the result and nowhere else, ever. */
  CreatedOperatorKeyInfo create(String name, UserId createdBy, Actor actor);

  /** It stops working at once; 404 when there is no such key. */
  void revoke(UUID keyId, Actor actor);

  record OperatorKeyInfo(UUID id, String name, String hint, Instant createdAt, Instant lastUsedAt,
      Instant revokedAt) {}

  record CreatedOperatorKeyInfo(UUID id, String name, String secret, String hint, Instant createdAt) {}
}
