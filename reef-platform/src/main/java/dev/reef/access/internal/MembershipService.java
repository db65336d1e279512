package dev.reef.access.internal;

import dev.reef.access.AccessEvents;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.common.ConflictException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Listing and removing members (people join through {@link InvitationService}). Only owners grant or remove the
 * owner role; a tenant always keeps one owner.
 */
@Service
class MembershipService {

  private final MembershipRepository memberships;
  private final ApplicationEventPublisher events;

  MembershipService(MembershipRepository memberships, ApplicationEventPublisher events) {
    this.memberships = memberships;
    this.events = events;
  }

  @Transactional
  void remove(TenantId tenantId, UserId userId, Caller caller) {
    MembershipRepository.MemberRow member = memberships.list(tenantId).stream()
        .filter(m -> m.userId().equals(userId)).findFirst()
        .orElseThrow(() -> new NotFoundException("member", userId.toString()));
    if (member.role() == Role.OWNER) {
      requireOwner(memberships, tenantId, caller, "Only an owner can remove an owner.");
      if (memberships.countOwners(tenantId) <= 1) {
        throw new ConflictException("This is the tenant's last owner; add another owner first.");
      }
    }
    memberships.delete(tenantId, userId);
    events.publishEvent(new AccessEvents.MemberRemoved(tenantId, caller.actor(), userId.toString(),
        member.email()));
  }

  @Transactional(readOnly = true)
  List<MembershipRepository.MemberRow> list(TenantId tenantId) {
    return memberships.list(tenantId);
  }

  static void requireOwner(MembershipRepository memberships, TenantId tenantId, Caller caller, String message) {
    boolean owner = switch (caller) {
      case Caller.User u when u.operator() -> true;
      case Caller.User u -> memberships.role(tenantId, u.userId()).filter(r -> r == Role.OWNER).isPresent();
      case Caller.OperatorKey k -> true;
      // a key carries no role of its own: an admin-scoped key acts with admin rights, never owner rights
      case Caller.TenantKey k -> false;
      case Caller.Agent a -> false;
    };
    if (!owner) {
      throw new ProblemException(ProblemType.FORBIDDEN, message);
    }
  }
}
