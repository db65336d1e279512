package dev.reef.access.internal;

import dev.reef.access.Caller;
import dev.reef.access.TenantMembers;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import java.util.List;
import org.springframework.stereotype.Component;

/** The members endpoints' operations, for other modules (the dashboard). */
@Component
final class MemberDirectory implements TenantMembers {

  private final MembershipService members;

  MemberDirectory(MembershipService members) {
    this.members = members;
  }

  @Override
  public List<Member> list(TenantId tenantId) {
    return members.list(tenantId).stream().map(MemberDirectory::member).toList();
  }

  @Override
  public void remove(TenantId tenantId, UserId userId, Caller caller) {
    members.remove(tenantId, userId, caller);
  }

  private static Member member(MembershipRepository.MemberRow row) {
    return new Member(row.userId(), row.email(), row.role(), row.createdAt());
  }
}
