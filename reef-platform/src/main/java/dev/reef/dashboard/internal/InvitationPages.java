package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.SessionLogin;
import dev.reef.access.TenantInvitations;
import dev.reef.common.DataScope;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantCatalog;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Where an invitee lands from their link: logged in as the invited address, one button joins; logged in as someone
 * else, they are told to switch; not logged in, the invited address's password joins (the existing account's, or a
 * new one that creates it) and logs them in. The token authorises the page, so it needs no session.
 */
@Controller
class InvitationPages {

  private final TenantInvitations invitations;
  private final TenantCatalog tenants;
  private final AccessGuard guard;
  private final SessionLogin sessions;

  InvitationPages(TenantInvitations invitations, TenantCatalog tenants, AccessGuard guard, SessionLogin sessions) {
    this.invitations = invitations;
    this.tenants = tenants;
    this.guard = guard;
    this.sessions = sessions;
  }

  @GetMapping("/invitation")
  String invitation(@RequestParam(required = false) String token, HttpServletResponse response, Model model) {
    return page(token, response, model, null);
  }

  @PostMapping("/invitation/accept")
  String accept(@RequestParam(required = false) String token, @RequestParam(required = false) String password,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    try {
      Optional<Caller.User> user = loggedIn();
      if (user.isPresent()) {
        return "redirect:/t/" + invitations.accept(token, user.get()).tenantId() + "?joined";
      }
      TenantInvitations.Accepted accepted = invitations.acceptWithPassword(token, password);
      sessions.logIn(accepted.email(), password, request, response);
      return "redirect:/t/" + accepted.tenantId() + "?joined";
    } catch (ProblemException e) {
      if (e.type() == ProblemType.NOT_FOUND) {
        return page(token, response, model, null);
      }
      response.setStatus(e.type().status());
      return page(token, response, model, e.detail());
    }
  }

  private String page(String token, HttpServletResponse response, Model model, String failure) {
    Optional<TenantInvitations.Invitation> invitation = invitations.pending(token);
    if (invitation.isEmpty()) {
      response.setStatus(404);
      model.addAttribute("gone", true);
      return "invitation";
    }
    TenantInvitations.Invitation i = invitation.get();
    Tenant tenant = DataScope.callAsPlatform(() -> tenants.find(i.tenantId())).orElseThrow();
    Optional<Caller.User> user = loggedIn();
    model.addAttribute("gone", false);
    model.addAttribute("token", token);
    model.addAttribute("email", i.email());
    model.addAttribute("role", i.role().json());
    model.addAttribute("tenantName", tenant.displayName());
    model.addAttribute("tenantSlug", tenant.slug());
    model.addAttribute("invitedBy", i.invitedBy());
    model.addAttribute("expires", AgentView.time(i.expiresAt()));
    model.addAttribute("loggedInAs", user.map(Caller.User::email).orElse(null));
    model.addAttribute("sameAddress", user.filter(u -> u.email().equalsIgnoreCase(i.email())).isPresent());
    model.addAttribute("failure", failure);
    return "invitation";
  }

  private Optional<Caller.User> loggedIn() {
    try {
      return guard.caller() instanceof Caller.User user ? Optional.of(user) : Optional.empty();
    } catch (ProblemException anonymous) {
      return Optional.empty();
    }
  }
}
