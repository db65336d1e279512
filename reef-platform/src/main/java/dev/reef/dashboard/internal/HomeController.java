package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.UserAccounts;
import dev.reef.common.DataScope;
import dev.reef.tenancy.TenantCatalog;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
class HomeController {

  private final AccessGuard guard;
  private final UserAccounts users;
  private final TenantCatalog tenants;

  HomeController(AccessGuard guard, UserAccounts users, TenantCatalog tenants) {
    this.guard = guard;
    this.users = users;
    this.tenants = tenants;
  }

  record TenantCard(String id, String name, String slug, String status, String role) {}

  @GetMapping("/login")
  String login(@RequestParam(required = false) String error, @RequestParam(required = false) String throttled,
      @RequestParam(required = false) String logout, Model model) {
    model.addAttribute("error", error != null);
    model.addAttribute("throttled", throttled != null);
    model.addAttribute("loggedOut", logout != null);
    return "login";
  }

  @GetMapping("/")
  String home(Model model) {
    Caller caller = guard.caller();
    if (!(caller instanceof Caller.User user)) {
      return "redirect:/login";
    }
    List<TenantCard> cards = DataScope.callAsPlatform(() -> users.membershipsOf(user.userId()).stream()
        .flatMap(m -> tenants.find(m.tenantId()).stream()
            .map(t -> new TenantCard(t.id().toString(), t.displayName(), t.slug(), t.status().json(),
                m.role().json())))
        .toList());
    model.addAttribute("email", user.email());
    model.addAttribute("operator", user.operator());
    model.addAttribute("tenants", cards);
    return "home";
  }
}
