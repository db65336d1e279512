package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantInvitations;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.platform.PublicUrls;
import dev.reef.platform.ReefProperties;
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
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Inviting people into a tenant ({@code POST .../members} does the same), listing and revoking invitations, and
 * accepting one with its token.
 */
@RestController
@Tag(name = "Members")
class InvitationsController {

  private final AccessGuard guard;
  private final TenantInvitations invitations;
  private final ReefProperties properties;

  InvitationsController(AccessGuard guard, TenantInvitations invitations, ReefProperties properties) {
    this.guard = guard;
    this.invitations = invitations;
    this.properties = properties;
  }

  record Invite(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 16) String role) {}

  record InvitationView(String id, String email, String role, String status, String invitedBy, Instant createdAt,
      Instant expiresAt) {
    static InvitationView of(TenantInvitations.Invitation i) {
      return new InvitationView(i.id().toString(), i.email(), i.role().json(), i.status(), i.invitedBy(),
          i.createdAt(), i.expiresAt());
    }
  }

  /** {@code token} and {@code acceptUrl} are shown this once; hand one of them to the invitee. */
  record InvitedView(String id, String email, String role, String status, String invitedBy, Instant createdAt,
      Instant expiresAt, String token, String acceptUrl) {}

  record InvitationList(List<InvitationView> items) {}

  record Accept(@NotBlank @Size(max = 100) String token, @Size(max = 128) String password) {}

  record AcceptedView(String tenantId, String userId, String email, String role) {}

  @GetMapping("/api/v1/tenants/{tenantId}/invitations")
  @Operation(summary = "List the tenant's invitations, newest first (pending, accepted, revoked, expired)")
  InvitationList list(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    return new InvitationList(invitations.list(tenantId).stream().map(InvitationView::of).toList());
  }

  @PostMapping("/api/v1/tenants/{tenantId}/invitations")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Invite someone by email; the answer carries the single-use token for them, shown once")
  InvitedView invite(@PathVariable TenantId tenantId, @Valid @RequestBody Invite body) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    return invited(properties, invitations.invite(tenantId, body.email(), Role.parse(body.role()), caller));
  }

  @DeleteMapping("/api/v1/tenants/{tenantId}/invitations/{invitationId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Revoke a pending invitation")
  void revoke(@PathVariable TenantId tenantId, @PathVariable UUID invitationId) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    invitations.revoke(tenantId, invitationId, caller);
  }

  /**
   * Public: the token authorises it. With the password of the invited address's account, or a new password, which
   * creates that account.
   */
  @PostMapping("/api/v1/invitations/accept")
  @Operation(summary = "Accept an invitation with its token and the invited address's password (or a new one)")
  AcceptedView accept(@Valid @RequestBody Accept body) {
    TenantInvitations.Accepted accepted = invitations.acceptWithPassword(body.token(), body.password());
    return new AcceptedView(accepted.tenantId().toString(), accepted.userId().toString(), accepted.email(),
        accepted.role().json());
  }

  static InvitedView invited(ReefProperties properties, TenantInvitations.Invited invited) {
    TenantInvitations.Invitation i = invited.invitation();
    return new InvitedView(i.id().toString(), i.email(), i.role().json(), i.status(), i.invitedBy(), i.createdAt(),
        i.expiresAt(), invited.token(), PublicUrls.absolute(properties, invited.acceptPath()));
  }
}
