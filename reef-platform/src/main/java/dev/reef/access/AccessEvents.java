package dev.reef.access;

import dev.reef.common.Actor;
import dev.reef.common.AuditableEvent;
import dev.reef.common.TenantId;
import java.util.Map;
import java.util.Optional;

/** The security-relevant things that happen in access; each is recorded in the audit log. */
public final class AccessEvents {

  private AccessEvents() {}

  public record LoginSucceeded(Optional<TenantId> tenantId, Actor actor) implements AuditableEvent {
    @Override
    public String action() {
      return "login.succeeded";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of();
    }
  }

  /** @param reason {@code bad_credentials} or {@code throttled} */
  public record LoginFailed(Optional<TenantId> tenantId, Actor actor, String reason) implements AuditableEvent {
    @Override
    public String action() {
      return "login.failed";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("reason", reason);
    }
  }

  public record ApiKeyCreated(TenantId tenant, Actor actor, String keyId, String name, String scopes)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "api_key.created";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("keyId", keyId, "name", name, "scopes", scopes);
    }
  }

  public record ApiKeyRevoked(TenantId tenant, Actor actor, String keyId, String name) implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "api_key.revoked";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("keyId", keyId, "name", name);
    }
  }

  public record MemberAdded(TenantId tenant, Actor actor, String userId, String email, String role)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "member.added";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("userId", userId, "email", email, "role", role);
    }
  }

  public record MemberRemoved(TenantId tenant, Actor actor, String userId, String email) implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "member.removed";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("userId", userId, "email", email);
    }
  }

  public record InvitationCreated(TenantId tenant, Actor actor, String invitationId, String email, String role)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "invitation.created";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("invitationId", invitationId, "email", email, "role", role);
    }
  }

  public record InvitationRevoked(TenantId tenant, Actor actor, String invitationId, String email)
      implements AuditableEvent.OfTenant {
    @Override
    public String action() {
      return "invitation.revoked";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("invitationId", invitationId, "email", email);
    }
  }

  /** Operator keys are platform-level: they appear in the platform audit log (no tenant). */
  public record OperatorKeyChanged(Actor actor, String keyId, String name, boolean created)
      implements AuditableEvent {
    @Override
    public Optional<TenantId> tenantId() {
      return Optional.empty();
    }

    @Override
    public String action() {
      return created ? "operator_key.created" : "operator_key.revoked";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("keyId", keyId, "name", name);
    }
  }

  /** A person changed their password (or signed out everywhere): in the platform audit log. */
  public record AccountChanged(Actor actor, String change) implements AuditableEvent {
    @Override
    public Optional<TenantId> tenantId() {
      return Optional.empty();
    }

    @Override
    public String action() {
      return "account." + change;
    }

    @Override
    public Map<String, Object> details() {
      return Map.of();
    }
  }
}
