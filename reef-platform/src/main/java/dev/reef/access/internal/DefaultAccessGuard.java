package dev.reef.access.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantLookup;
import dev.reef.access.TenantPermission;
import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

@Component
final class DefaultAccessGuard implements AccessGuard {

  private final TenantLookup tenants;
  private final MembershipRepository memberships;

  DefaultAccessGuard(TenantLookup tenants, MembershipRepository memberships) {
    this.tenants = tenants;
    this.memberships = memberships;
  }

  @Override
  public Caller caller() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth instanceof CallerAuthentication ca) {
      return ca.caller();
    }
    if (auth != null && auth.isAuthenticated() && auth.getPrincipal() instanceof ReefUserDetails user) {
      return new Caller.User(user.userId(), user.email(), user.operator(), RequestOrigin.currentAddress());
    }
    throw new ProblemException(ProblemType.UNAUTHENTICATED,
        "Send an API key as 'Authorization: Bearer <key>', or log in.");
  }

  @Override
  public Caller requireVisible(TenantId tenantId) {
    return admit(tenantId).caller();
  }

  @Override
  public Caller require(TenantId tenantId, TenantPermission permission) {
    Admission admission = admit(tenantId);
    Caller caller = admission.caller();
    if (caller.operator()) {
      return caller;
    }
    if (permission.operatorOnly()) {
      throw forbidden("Only the platform operator may do this.");
    }
    switch (caller) {
      case Caller.TenantKey key when !key.scopes().contains(permission.requiredScope()) ->
          throw forbidden("This API key lacks the '" + permission.requiredScope().json() + "' scope.");
      case Caller.User user when admission.role().filter(r -> r.atLeast(permission.minimumRole())).isEmpty() ->
          throw forbidden("This needs the " + permission.minimumRole().json() + " role in this tenant.");
      default -> {
      }
    }
    return caller;
  }

  @Override
  public Caller requireOperator() {
    Caller caller = caller();
    if (!caller.operator()) {
      throw forbidden("Only the platform operator may do this.");
    }
    DataScope.bind(DataScope.PLATFORM);
    return caller;
  }

  private record Admission(Caller caller, Optional<Role> role) {}

  /** Exists, the caller belongs to it, and it is not suspended (operators are never locked out). */
  private Admission admit(TenantId tenantId) {
    Caller caller = caller();
    TenantStatus status = DataScope.callAsPlatform(() -> tenants.status(tenantId))
        .orElseThrow(() -> new NotFoundException("tenant", tenantId.toString()));
    Optional<Role> role = switch (caller) {
      case Caller.OperatorKey key -> Optional.empty();
      case Caller.User user when user.operator() -> Optional.empty();
      case Caller.User user -> Optional.of(DataScope.callAs(tenantId, () -> memberships.role(tenantId, user.userId()))
          .orElseThrow(() -> new NotFoundException("tenant", tenantId.toString())));
      case Caller.TenantKey key -> {
        if (!key.tenantId().equals(tenantId)) {
          throw new NotFoundException("tenant", tenantId.toString());
        }
        yield Optional.empty();
      }
      // Agent tokens are for the LLM proxy only; the API never admits them.
      case Caller.Agent agent -> throw new NotFoundException("tenant", tenantId.toString());
    };
    if (!caller.operator() && status == TenantStatus.SUSPENDED) {
      throw new ProblemException(ProblemType.TENANT_SUSPENDED,
          "Tenant " + tenantId + " is suspended; contact your platform operator.");
    }
    DataScope.bind(new DataScope.Tenant(tenantId));
    return new Admission(caller, role);
  }

  private static ProblemException forbidden(String detail) {
    return new ProblemException(ProblemType.FORBIDDEN, detail);
  }
}
