package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.secrets.MasterKeyAdministration;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The master keys that wrap every stored secret: which is current, how many secrets each wraps (the rotation's
 * progress: a finished one leaves them all on the current key), and rotation, as {@code /api/v1/operator/secrets}.
 */
@Controller
@RequestMapping("/operator/secrets")
class MasterKeyPages {

  private final AccessGuard guard;
  private final Navigation navigation;
  private final MasterKeyAdministration keys;

  MasterKeyPages(AccessGuard guard, Navigation navigation, MasterKeyAdministration keys) {
    this.guard = guard;
    this.navigation = navigation;
    this.keys = keys;
  }

  @GetMapping
  String page(Model model) {
    guard.requireOperator();
    navigation.page(model, "operator-health");
    MasterKeyAdministration.Status status = keys.status();
    model.addAttribute("status", status);
    model.addAttribute("total", status.keyVersions().stream().mapToLong(MasterKeyAdministration.KeyVersion::secrets)
        .sum());
    model.addAttribute("onCurrent", status.keyVersions().stream().filter(MasterKeyAdministration.KeyVersion::current)
        .mapToLong(MasterKeyAdministration.KeyVersion::secrets).sum());
    return "operator/secrets";
  }

  @PostMapping("/rotate")
  String rotate(@RequestParam(required = false) String generateNewKey, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, "/operator/secrets", null, () -> {
      MasterKeyAdministration.Rotated done = keys.rotate(generateNewKey != null, caller.actor());
      flash.addFlashAttribute(done.remainingOnOldKeys() == 0 ? "notice" : "failure", "Re-wrapped "
          + done.rewrapped() + " secrets under key " + done.currentKeyVersion() + (done.remainingOnOldKeys() == 0
          ? "; none is left on an older key." : "; " + done.remainingOnOldKeys() + " are still on keys Reef does "
          + "not hold: configure those keys and rotate again."));
    });
  }
}
