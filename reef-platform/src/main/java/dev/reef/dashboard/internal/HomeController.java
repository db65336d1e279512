package dev.reef.dashboard.internal;

import dev.reef.access.Caller;
import dev.reef.access.SessionLogin;
import dev.reef.common.ProblemException;
import dev.reef.tenancy.Signups;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Logging in, signing up, and the page that sends a person to their tenant. */
@Controller
class HomeController {

  private final Navigation navigation;
  private final Signups signups;
  private final SessionLogin sessions;

  private final dev.reef.access.SecondFactorLogin secondFactor;

  HomeController(Navigation navigation, Signups signups, SessionLogin sessions,
      dev.reef.access.SecondFactorLogin secondFactor) {
    this.secondFactor = secondFactor;
    this.navigation = navigation;
    this.signups = signups;
    this.sessions = sessions;
  }

  @GetMapping("/login")
  String login(@RequestParam(required = false) String error, @RequestParam(required = false) String throttled,
      @RequestParam(required = false) String logout, @RequestParam(required = false) String reset,
      @RequestParam(required = false) String expired, HttpServletRequest request, Model model) {
    if (secondFactor.pending(request).isPresent()) {
      return "redirect:/login/code"; // the password was right; the code is what is missing
    }
    model.addAttribute("expired", expired != null);
    model.addAttribute("error", error != null);
    model.addAttribute("passwordReset", reset != null);
    model.addAttribute("throttled", throttled != null);
    model.addAttribute("loggedOut", logout != null);
    model.addAttribute("signupOpen", signups.open());
    return "login";
  }

  /** One tenant: straight to it. Several: choose. None: the operator's pages, or a note. */
  @GetMapping("/")
  String home(Model model) {
    Caller.User user = navigation.user();
    List<Navigation.TenantLink> tenants = navigation.tenantsOf(user);
    if (tenants.size() == 1 && !user.operator()) {
      return "redirect:/t/" + tenants.getFirst().id();
    }
    if (tenants.isEmpty() && user.operator()) {
      return "redirect:/operator/tenants";
    }
    navigation.page(model, "home");
    return "home";
  }

  @GetMapping("/signup")
  String signupForm(HttpServletResponse response, Model model) {
    if (!signups.open()) {
      response.setStatus(403);
    }
    model.addAttribute("signupOpen", signups.open());
    return "signup";
  }

  /** The same sign-up as the API; then the new owner is logged in and lands on the empty tenant, ready to deploy. */
  @PostMapping("/signup")
  String signup(@RequestParam String email, @RequestParam String password, @RequestParam String tenantName,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    Signups.SignedUp result;
    try {
      result = signups.signup(email, password, tenantName, request.getRemoteAddr(), false);
    } catch (ProblemException e) {
      response.setStatus(e.type().status());
      model.addAttribute("signupOpen", signups.open());
      model.addAttribute("failure", e.detail());
      model.addAttribute("signupEmail", email);
      model.addAttribute("tenantName", tenantName);
      return "signup";
    }
    sessions.logIn(email, password, request, response);
    return "redirect:/t/" + result.tenantId() + "?welcome";
  }
}
