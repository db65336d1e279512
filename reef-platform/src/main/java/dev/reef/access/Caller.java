package dev.reef.access;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.util.Set;
import java.util.UUID;

/** Who is making the current request, as established by a session or a bearer credential. */
public sealed interface Caller {

  /** Whether this caller holds platform-operator rights (crosses tenants). */
  boolean operator();

  /** How the caller appears in the audit log. */
  Actor actor();

  /** A person signed in to the dashboard (possibly an operator). */
  record User(UserId userId, String email, boolean operator, String sourceAddress) implements Caller {
    @Override
    public Actor actor() {
      return new Actor("user", userId.toString(), email, sourceAddress);
    }
  }

  /** An operator API key, or the master key from {@code REEF_ADMIN_API_KEY} (keyId null). */
  record OperatorKey(UUID keyId, String name, String sourceAddress) implements Caller {
    @Override
    public boolean operator() {
      return true;
    }

    @Override
    public Actor actor() {
      return new Actor("operator_key", keyId == null ? "REEF_ADMIN_API_KEY" : keyId.toString(), name, sourceAddress);
    }
  }

  /**
   * An agent's token ({@code reef_at_...}): minted when the agent starts, revoked when it stops, and accepted only
   * by the LLM proxy, for that tenant and agent.
   */
  record Agent(TenantId tenantId, UUID agentId, String sourceAddress) implements Caller {
    @Override
    public boolean operator() {
      return false;
    }

    @Override
    public Actor actor() {
      return new Actor("agent", agentId.toString(), "agent " + agentId, sourceAddress);
    }
  }

  /** A tenant API key ({@code reef_sk_...}); it can only ever reach its own tenant. */
  record TenantKey(TenantId tenantId, UUID keyId, String name, Set<ApiKeyScope> scopes, String sourceAddress)
      implements Caller {
    @Override
    public boolean operator() {
      return false;
    }

    @Override
    public Actor actor() {
      return new Actor("api_key", keyId.toString(), name, sourceAddress);
    }
  }
}
