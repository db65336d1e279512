package dev.reef.dashboard.internal;

import dev.reef.access.PasswordResets;
import dev.reef.common.ProblemException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** "Forgot your password?": ask for a link by email, then choose a new password through it. Open to anyone. */
@Controller
class PasswordResetPages {

  private final PasswordResets resets;

  PasswordResetPages(PasswordResets resets) {
    this.resets = resets;
  }

  @GetMapping("/forgot-password")
  String forgot(Model model) {
    model.addAttribute("available", resets.available());
    return "forgot-password";
  }

  @PostMapping("/forgot-password")
  String request(@RequestParam String email, HttpServletRequest request, HttpServletResponse response,
      Model model) {
    model.addAttribute("available", resets.available());
    try {
      resets.request(email, request.getRemoteAddr());
      model.addAttribute("sent", true);
    } catch (ProblemException e) {
      response.setStatus(e.type().status());
      model.addAttribute("failure", e.detail());
    }
    return "forgot-password";
  }

  @GetMapping("/reset-password")
  String form(@RequestParam(required = false) String token, Model model) {
    model.addAttribute("token", token);
    model.addAttribute("usable", resets.usable(token));
    return "reset-password";
  }

  @PostMapping("/reset-password")
  String reset(@RequestParam String token, @RequestParam String newPassword, @RequestParam String confirmPassword,
      HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes flash) {
    model.addAttribute("token", token);
    model.addAttribute("usable", true);
    if (!newPassword.equals(confirmPassword)) {
      model.addAttribute("failure", "The two entries differ; type the new password twice the same way.");
      return "reset-password";
    }
    try {
      resets.reset(token, newPassword, request.getRemoteAddr());
    } catch (ProblemException e) {
      response.setStatus(e.type().status());
      model.addAttribute("usable", resets.usable(token));
      model.addAttribute("failure", FormOutcome.labelled(e.detail(), java.util.Map.of("password", "New password")));
      return "reset-password";
    }
    return "redirect:/login?reset";
  }
}
