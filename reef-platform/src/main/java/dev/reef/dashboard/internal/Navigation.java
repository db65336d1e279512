package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantPermission;
import dev.reef.access.UserAccounts;
import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.common.TenantId;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantCatalog;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

/**
 * What every page's frame shows: who is logged in, the tenants they can switch to, and the current tenant with the
 * caller's role in it. The role here only decides which controls a page offers; every handler still starts with
 * the guard, which is what actually allows or refuses.
 */
@Component
final class Navigation {

  private final AccessGuard guard;
  private final UserAccounts users;
  private final TenantCatalog tenants;

  Navigation(AccessGuard guard, UserAccounts users, TenantCatalog tenants) {
    this.guard = guard;
    this.users = users;
    this.tenants = tenants;
  }

  /** A tenant in the switcher. */
  public record TenantLink(String id, String name, String slug, String status, String role) {}

  /** The current tenant, and what the caller may do there. */
  public record Current(String id, String name, String slug, String status, String plan, String role, boolean admin) {}

  /** The logged-in person (the dashboard has no other callers). */
  Caller.User user() {
    if (guard.caller() instanceof Caller.User user) {
      return user;
    }
    throw new ProblemException(ProblemType.UNAUTHENTICATED, "Log in first.");
  }

  List<TenantLink> tenantsOf(Caller.User user) {
    return DataScope.callAsPlatform(() -> users.membershipsOf(user.userId()).stream()
        .flatMap(m -> tenants.find(m.tenantId()).stream().map(t -> new TenantLink(t.id().toString(),
            t.displayName(), t.slug(), t.status().json(), m.role().json())))
        .sorted(Comparator.comparing(TenantLink::name, String.CASE_INSENSITIVE_ORDER))
        .toList());
  }

  /** The frame of a page outside any tenant (the tenant chooser, operator pages). */
  Caller.User page(Model model, String section) {
    Caller.User user = user();
    model.addAttribute("email", user.email());
    model.addAttribute("operator", user.operator());
    model.addAttribute("switcher", tenantsOf(user));
    model.addAttribute("section", section);
    return user;
  }

  /** The frame of an error page: the navigation of whoever is logged in, or none for a visitor. */
  void frameIfLoggedIn(Model model) {
    try {
      if (guard.caller() instanceof Caller.User) {
        page(model, null);
      }
    } catch (RuntimeException notLoggedIn) {
      // a visitor (or a caller with a key): the page without the frame
    }
  }

  /** The frame of a tenant's page; call after the guard has admitted the caller. */
  Current tenantPage(Model model, TenantId tenantId, String section) {
    Caller.User user = page(model, section);
    Tenant tenant = tenant(tenantId);
    Optional<Role> role = role(user, tenantId);
    boolean admin = user.operator() || role.filter(r -> r.atLeast(Role.ADMIN)).isPresent();
    Current current = new Current(tenant.id().toString(), tenant.displayName(), tenant.slug(), tenant.status().json(),
        tenant.planId(), role.map(Role::json).orElse(user.operator() ? "operator" : ""), admin);
    model.addAttribute("tenant", current);
    return current;
  }

  Tenant tenant(TenantId tenantId) {
    return DataScope.callAsPlatform(() -> tenants.find(tenantId))
        .orElseThrow(() -> new NotFoundException("tenant", tenantId.toString()));
  }

  /** Whether the caller's role allows an operation: to show or hide its controls (the guard decides). */
  boolean allows(TenantId tenantId, TenantPermission permission) {
    Caller.User user = user();
    if (user.operator()) {
      return true;
    }
    return !permission.operatorOnly()
        && role(user, tenantId).filter(r -> r.atLeast(permission.minimumRole())).isPresent();
  }

  private Optional<Role> role(Caller.User user, TenantId tenantId) {
    return DataScope.callAsPlatform(() -> users.membershipsOf(user.userId())).stream()
        .filter(m -> m.tenantId().equals(tenantId)).map(UserAccounts.Membership::role).findFirst();
  }
}
