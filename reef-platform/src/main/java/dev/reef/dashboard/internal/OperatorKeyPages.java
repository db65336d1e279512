package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.OperatorKeys;
import dev.reef.common.ProblemException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's API keys ({@code reef_op_…}): create one (shown once), see when each was last used, revoke. What
 * {@code POST /api/v1/operator/api-keys} does, without a restart with {@code REEF_ADMIN_API_KEY} to get a first key.
 */
@Controller
@RequestMapping("/operator/api-keys")
class OperatorKeyPages {

  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private final AccessGuard guard;
  private final Navigation navigation;
  private final OperatorKeys keys;

  OperatorKeyPages(AccessGuard guard, Navigation navigation, OperatorKeys keys) {
    this.guard = guard;
    this.navigation = navigation;
    this.keys = keys;
  }

  /** A line of the keys table. */
  public record KeyLine(String id, String name, String hint, String created, String lastUsed, boolean revoked) {}

  @GetMapping
  String page(Model model) {
    guard.requireOperator();
    return keysPage(model);
  }

  @PostMapping
  String create(@RequestParam String name, Model model) {
    Caller caller = guard.requireOperator();
    Caller.User user = navigation.user();
    try {
      model.addAttribute("createdKey", keys.create(name, user.userId(), caller.actor()));
    } catch (ProblemException e) {
      if (!FormOutcome.fixable(e)) {
        throw e;
      }
      model.addAttribute("failure", FormOutcome.labelled(e.detail(), java.util.Map.of("name", "Name")));
      model.addAttribute("keyName", name);
    }
    return keysPage(model);
  }

  @PostMapping("/{keyId}/revoke")
  String revoke(@PathVariable UUID keyId, RedirectAttributes flash) {
    Caller caller = guard.requireOperator();
    return FormOutcome.run(flash, "/operator/api-keys", "The key was revoked; it no longer works.",
        () -> keys.revoke(keyId, caller.actor()));
  }

  private String keysPage(Model model) {
    navigation.page(model, "operator-api-keys");
    model.addAttribute("keys", keys.list().stream().map(k -> new KeyLine(k.id().toString(), k.name(), k.hint(),
        WHEN.format(k.createdAt()), k.lastUsedAt() == null ? "never" : WHEN.format(k.lastUsedAt()),
        k.revokedAt() != null)).toList());
    return "operator/api-keys";
  }
}
