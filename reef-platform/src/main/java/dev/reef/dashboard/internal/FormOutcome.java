package dev.reef.dashboard.internal;

import dev.reef.common.ProblemException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Runs what a form asked for and says how it went on the next page (post, redirect, get): a problem the person can
 * fix (a bad value, a name taken, a plan's limit) becomes a message above the form instead of an error page.
 * Refusals (not found, not allowed, suspended) are not caught: they get the error page with their status.
 */
final class FormOutcome {

  private FormOutcome() {}

  static String run(RedirectAttributes flash, String redirectTo, String success, Runnable action) {
    try {
      action.run();
      if (success != null) {
        flash.addFlashAttribute("notice", success);
      }
    } catch (ProblemException e) {
      if (!fixable(e)) {
        throw e;
      }
      flash.addFlashAttribute("failure", e.detail());
    }
    return "redirect:" + redirectTo;
  }

  static boolean fixable(ProblemException e) {
    return switch (e.type()) {
      case INVALID_REQUEST, CONFLICT, QUOTA_EXCEEDED, TOO_MANY_REQUESTS, AGENT_UNAVAILABLE, UNAVAILABLE -> true;
      // "only an owner can add an owner" is about this form's values, not about the page
      case FORBIDDEN -> true;
      default -> false;
    };
  }
}
