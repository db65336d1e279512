package dev.reef.dashboard.internal;

import dev.reef.access.Caller;
import dev.reef.access.UserAccounts;
import dev.reef.common.DataScope;
import dev.reef.common.ProblemException;
import jakarta.servlet.http.HttpSession;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The signed-in person's own account: their email and tenants, a password change (which signs out every other
 * session), and "sign out everywhere else". Anyone logged in; there is nothing here about anyone else.
 */
@Controller
@RequestMapping("/account")
class AccountPages {

  private static final Map<String, String> LABELS = Map.of("currentPassword", "Current password",
      "newPassword", "New password", "password", "New password");

  private final Navigation navigation;
  private final UserAccounts users;

  AccountPages(Navigation navigation, UserAccounts users) {
    this.navigation = navigation;
    this.users = users;
  }

  @GetMapping
  String page(Model model) {
    Caller.User user = navigation.page(model, "account");
    model.addAttribute("sessions", DataScope.callAsPlatform(() -> users.sessions(user.userId())));
    model.addAttribute("mustChangePassword", DataScope.callAsPlatform(() -> users.mustChangePassword(user.userId())));
    return "account";
  }

  @PostMapping("/password")
  String changePassword(@RequestParam String currentPassword, @RequestParam String newPassword,
      @RequestParam String confirmPassword, HttpSession session, RedirectAttributes flash) {
    Caller.User user = navigation.user();
    if (!newPassword.equals(confirmPassword)) {
      flash.addFlashAttribute("failure", "New password: the two entries differ; type it twice the same way.");
      return "redirect:/account";
    }
    return FormOutcome.run(flash, "/account", "Your password was changed; your other sessions were signed out.",
        () -> DataScope.callAsPlatform(() -> {
          users.changePassword(user.userId(), currentPassword, newPassword, session.getId(), user.actor());
          return null;
        }), LABELS, null);
  }

  @PostMapping("/sign-out-elsewhere")
  String signOutElsewhere(HttpSession session, RedirectAttributes flash) {
    Caller.User user = navigation.user();
    try {
      int ended = DataScope.callAsPlatform(() -> users.signOutElsewhere(user.userId(), session.getId(),
          user.actor()));
      flash.addFlashAttribute("notice", ended == 0 ? "You had no other session."
          : "Signed out " + ended + (ended == 1 ? " other session." : " other sessions."));
    } catch (ProblemException e) {
      flash.addFlashAttribute("failure", e.detail());
    }
    return "redirect:/account";
  }
}
