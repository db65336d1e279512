package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
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

  MembersController(AccessGuard guard, MembershipService members) {
    this.guard = guard;
    this.members = members;
  }

  record MemberView(String userId, String email, String role, Instant createdAt) {
    static MemberView of(MembershipRepository.MemberRow row) {
      return new MemberView(row.userId().toString(), row.email(), row.role().json(), row.createdAt());
    }
  }

  record MemberList(List<MemberView> items) {}

  record AddMember(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 16) String role) {}

  /** {@code temporaryPassword} is present only when Reef created the account; it is shown this once. */
  record AddedMemberView(String userId, String email, String role, Instant createdAt, String temporaryPassword) {}

  @GetMapping
  @Operation(summary = "List the tenant's members")
  MemberList list(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.MEMBERS_READ);
    return new MemberList(members.list(tenantId).stream().map(MemberView::of).toList());
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Add a member by email (creates the account with a temporary password if needed)")
  AddedMemberView add(@PathVariable TenantId tenantId, @Valid @RequestBody AddMember body) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    MembershipService.AddedMember added = members.add(tenantId, body.email(), Role.parse(body.role()), caller);
    MemberView view = MemberView.of(added.member());
    return new AddedMemberView(view.userId(), view.email(), view.role(), view.createdAt(),
        added.temporaryPassword().orElse(null));
  }

  @DeleteMapping("/{userId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove a member")
  void remove(@PathVariable TenantId tenantId, @PathVariable UserId userId) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    members.remove(tenantId, userId, caller);
  }
}
