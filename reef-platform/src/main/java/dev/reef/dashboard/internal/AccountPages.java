package dev.reef.dashboard.internal;

import dev.reef.access.Caller;
import dev.reef.access.TwoFactor;
import dev.reef.access.UserAccounts;
import dev.reef.common.DataScope;
import dev.reef.common.ProblemException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
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

  /** A two-factor set-up under way: the secret lives in the session until a code proves the app has it. */
  private static final String ENROLLING = AccountPages.class.getName() + ".enrolling";

  private final Navigation navigation;
  private final UserAccounts users;
  private final TwoFactor twoFactor;

  private final dev.reef.access.SessionLogin sessions;

  private final dev.reef.access.PasswordResets resets;

  AccountPages(Navigation navigation, UserAccounts users, TwoFactor twoFactor, dev.reef.access.SessionLogin sessions,
      dev.reef.access.PasswordResets resets) {
    this.resets = resets;
    this.sessions = sessions;
    this.navigation = navigation;
    this.users = users;
    this.twoFactor = twoFactor;
  }

  @GetMapping
  String page(HttpSession session, Model model) {
    Caller.User user = navigation.page(model, "account");
    model.addAttribute("sessions", DataScope.callAsPlatform(() -> users.sessions(user.userId(), session.getId()))
        .stream().map(s -> new SessionLine(s.ref(), s.browser().isEmpty() ? "a browser" : s.browser(),
            s.from().isEmpty() ? "" : "from " + s.from(), WHEN.format(s.signedInAt()), WHEN.format(s.lastUsedAt()),
            s.current())).toList());
    model.addAttribute("mustChangePassword", DataScope.callAsPlatform(() -> users.mustChangePassword(user.userId())));
    model.addAttribute("mailOn", resets.available());
    boolean on = twoFactor.enabled(user.userId());
    model.addAttribute("twoFactorOn", on);
    model.addAttribute("recoveryCodesLeft", on ? twoFactor.recoveryCodesLeft(user.userId()) : 0);
    if (!on && session.getAttribute(ENROLLING) instanceof TwoFactor.Enrollment enrolling) {
      model.addAttribute("enrolSecret", enrolling.secret().replaceAll("(.{4})(?!$)", "$1 "));
      model.addAttribute("enrolQr", QrCodes.svg(enrolling.uri(), "QR code to add Reef to an authenticator app"));
    }
    return "account";
  }

  /** Step 1 of turning two-factor login on: a new secret, shown as a QR code and as text. */
  @PostMapping("/two-factor/setup")
  String setUpTwoFactor(HttpSession session) {
    Caller.User user = navigation.user();
    session.setAttribute(ENROLLING, twoFactor.begin(user.userId()));
    return "redirect:/account#two-factor";
  }

  /** Step 2: a code from the app proves it has the secret; the recovery codes are shown once. */
  @PostMapping("/two-factor/enable")
  String enableTwoFactor(@RequestParam(required = false) String code, HttpSession session,
      RedirectAttributes flash) {
    Caller.User user = navigation.user();
    if (!(session.getAttribute(ENROLLING) instanceof TwoFactor.Enrollment enrolling)) {
      flash.addFlashAttribute("failure", "Start the set-up again: it was not under way in this session.");
      return "redirect:/account#two-factor";
    }
    try {
      flash.addFlashAttribute("recoveryCodes", twoFactor.enable(user.userId(), enrolling.secret(), code,
          user.actor()));
      session.removeAttribute(ENROLLING);
      flash.addFlashAttribute("notice", "Two-factor login is on: from your next login Reef asks for a code.");
    } catch (ProblemException e) {
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), CODE_LABELS));
    }
    return "redirect:/account#two-factor";
  }

  @PostMapping("/two-factor/disable")
  String disableTwoFactor(@RequestParam(required = false) String password,
      @RequestParam(required = false) String code, RedirectAttributes flash) {
    Caller.User user = navigation.user();
    try {
      twoFactor.disable(user.userId(), password, code, user.actor());
      flash.addFlashAttribute("notice", "Two-factor login is off.");
    } catch (ProblemException e) {
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), CODE_LABELS));
    }
    return "redirect:/account#two-factor";
  }

  @PostMapping("/two-factor/recovery-codes")
  String newRecoveryCodes(@RequestParam(required = false) String code, RedirectAttributes flash) {
    Caller.User user = navigation.user();
    try {
      flash.addFlashAttribute("recoveryCodes", twoFactor.newRecoveryCodes(user.userId(), code, user.actor()));
      flash.addFlashAttribute("notice", "New recovery codes: the old ones no longer work.");
    } catch (ProblemException e) {
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), CODE_LABELS));
    }
    return "redirect:/account#two-factor";
  }

  private static final Map<String, String> CODE_LABELS = Map.of("code", "Code", "password", "Password",
      "email", "New email");

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

  /** One of the person's sessions, as the account page lists it (times in UTC). */
  record SessionLine(String ref, String browser, String from, String signedIn, String lastUsed, boolean current) {}

  private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter
      .ofPattern("d MMM yyyy HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC);

  @PostMapping("/email")
  String changeEmail(@RequestParam(required = false) String email, @RequestParam(required = false) String password,
      HttpSession session, HttpServletRequest request, HttpServletResponse response, RedirectAttributes flash) {
    Caller.User user = navigation.user();
    try {
      String now = DataScope.callAsPlatform(() -> users.changeEmail(user.userId(), password, email, session.getId(),
          user.actor()));
      sessions.refresh(request, response);
      flash.addFlashAttribute("notice", "Your email is now " + now + ": log in with it from now on. Your other "
          + "sessions were signed out.");
    } catch (ProblemException e) {
      flash.addFlashAttribute("failure", FormOutcome.labelled(e.detail(), CODE_LABELS));
    }
    return "redirect:/account";
  }

  @PostMapping("/sessions/{ref}/sign-out")
  String signOutSession(@PathVariable String ref, RedirectAttributes flash) {
    Caller.User user = navigation.user();
    boolean ended = DataScope.callAsPlatform(() -> users.signOut(user.userId(), ref, user.actor()));
    flash.addFlashAttribute(ended ? "notice" : "failure", ended ? "That session was signed out."
        : "That session had already ended.");
    return "redirect:/account";
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
