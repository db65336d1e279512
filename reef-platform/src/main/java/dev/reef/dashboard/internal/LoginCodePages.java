package dev.reef.dashboard.internal;

import dev.reef.access.SecondFactorLogin;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The login's second step for a person with two-factor login on: their app's code, or a recovery code. */
@Controller
@RequestMapping("/login/code")
class LoginCodePages {

  private final SecondFactorLogin secondFactor;

  LoginCodePages(SecondFactorLogin secondFactor) {
    this.secondFactor = secondFactor;
  }

  @GetMapping
  String page(HttpServletRequest request, Model model) {
    Optional<String> email = secondFactor.pending(request);
    if (email.isEmpty()) {
      return "redirect:/login";
    }
    model.addAttribute("email", email.get());
    return "login-code";
  }

  @PostMapping
  String check(@RequestParam(required = false) String code, HttpServletRequest request,
      HttpServletResponse response, Model model) {
    try {
      secondFactor.complete(code, request, response);
      return "redirect:/";
    } catch (ProblemException e) {
      if (e.type() == ProblemType.UNAUTHENTICATED) {
        return "redirect:/login?expired";
      }
      response.setStatus(e.type().status());
      model.addAttribute("email", secondFactor.pending(request).orElse(""));
      model.addAttribute("failure", e.detail());
      return "login-code";
    }
  }
}
