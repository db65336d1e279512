package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantInvitations;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.platform.ReefProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.List;
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
@RequestMapping("/api/v1/tenants/{tenantId}/members")
@Tag(name = "Members")
class MembersController {

  private final AccessGuard guard;
  private final MembershipService members;
  private final TenantInvitations invitations;
  private final ReefProperties properties;

  MembersController(AccessGuard guard, MembershipService members, TenantInvitations invitations,
      ReefProperties properties) {
    this.guard = guard;
    this.members = members;
    this.invitations = invitations;
    this.properties = properties;
  }

  record MemberView(String userId, String email, String role, Instant createdAt) {
    static MemberView of(MembershipRepository.MemberRow row) {
      return new MemberView(row.userId().toString(), row.email(), row.role().json(), row.createdAt());
    }
  }

  record MemberList(List<MemberView> items) {}

  @GetMapping
  @Operation(summary = "List the tenant's members")
  MemberList list(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.MEMBERS_READ);
    return new MemberList(members.list(tenantId).stream().map(MemberView::of).toList());
  }

  /** The same as {@code POST .../invitations}: nobody becomes a member without accepting. */
  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Invite a member by email (an invitation they accept; see the invitations endpoints)")
  InvitationsController.InvitedView add(@PathVariable TenantId tenantId,
      @Valid @RequestBody InvitationsController.Invite body) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    return InvitationsController.invited(properties,
        invitations.invite(tenantId, body.email(), Role.parse(body.role()), caller));
  }

  @DeleteMapping("/{userId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove a member")
  void remove(@PathVariable TenantId tenantId, @PathVariable UserId userId) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    members.remove(tenantId, userId, caller);
  }
}
