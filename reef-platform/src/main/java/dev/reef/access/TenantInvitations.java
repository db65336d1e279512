package dev.reef.access;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * How people join a tenant: an admin invites an address; whoever holds the invitation's single-use token accepts
 * it, logged in as that address or by creating the account through it. Nobody is attached to a tenant without
 * accepting, and inviting says nothing about whether the address has an account. The same operations as the
 * invitations endpoints; callers check access (the guard) first, except for the token operations, which the token
 * itself authorises.
 */
public interface TenantInvitations {

  /** A new pending invitation (replacing any pending one for the address); the token exists only in the result. */
  Invited invite(TenantId tenantId, String email, Role role, Caller caller);

  /** Newest first, in every status. */
  List<Invitation> list(TenantId tenantId);

  /** 404 if there is no such invitation in the tenant, 409 if it was accepted already. */
  void revoke(TenantId tenantId, UUID invitationId, Caller caller);

  /** The pending invitation a token stands for; empty when the token is unknown, used, revoked or expired. */
  Optional<Invitation> pending(String token);

  /** A logged-in person accepts; 403 unless they are logged in as the invited address. */
  Accepted accept(String token, Caller.User user);

  /**
   * Accepts with the invited address's password: the existing account's (checked, and throttled, as at login), or
   * a new one, for which the account is created now.
   */
  Accepted acceptWithPassword(String token, String password);

  /** @param status {@code pending}, {@code accepted}, {@code revoked} or {@code expired} */
  record Invitation(UUID id, TenantId tenantId, String email, Role role, String status, String invitedBy,
      Instant createdAt, Instant expiresAt) {}

  record Invited(Invitation invitation, String token) {
    /** The dashboard page where the invitee accepts (relative; the token is URL-safe base62). */
    public String acceptPath() {
      return "/invitation?token=" + token;
    }
  }

  record Accepted(TenantId tenantId, UserId userId, String email, Role role) {}
}
