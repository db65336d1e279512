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
    return run(flash, redirectTo, success, action, java.util.Map.of(), null);
  }

  /**
   * As {@link #run(RedirectAttributes, String, String, Runnable)}; a failure names the fields as the form labels them
   * ({@code labels}: API field name to label), and {@code typed} (what the form sent, secrets left out) comes back as
   * the flash attribute {@code typed}, so the form can be shown again as it was filled in.
   */
  static String run(RedirectAttributes flash, String redirectTo, String success, Runnable action,
      java.util.Map<String, String> labels, java.util.Map<String, ?> typed) {
    try {
      action.run();
      if (success != null) {
        flash.addFlashAttribute("notice", success);
      }
    } catch (ProblemException e) {
      if (!fixable(e)) {
        throw e;
      }
      flash.addFlashAttribute("failure", labelled(e.detail(), labels));
      if (typed != null) {
        flash.addFlashAttribute("typed", typed);
      }
    }
    return "redirect:" + redirectTo;
  }

  /**
   * The API's words made the page's: "inputUsdPerMTok: must be …" becomes "Input USD / million tokens: must be …",
   * and a limit's "or null for unlimited" becomes "or empty for unlimited" (the form's way of saying it).
   */
  static String labelled(String detail, java.util.Map<String, String> labels) {
    if (detail == null) {
      return null;
    }
    String text = detail.replace("or null for unlimited", "or empty for unlimited");
    int colon = text.indexOf(": ");
    if (colon > 0) {
      String label = labels.get(text.substring(0, colon));
      if (label != null) {
        return label + text.substring(colon);
      }
    }
    return text;
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
