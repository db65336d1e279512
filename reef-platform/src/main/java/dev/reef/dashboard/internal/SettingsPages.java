package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.ApiKeyScope;
import dev.reef.access.Caller;
import dev.reef.access.Role;
import dev.reef.access.TenantApiKeys;
import dev.reef.access.TenantInvitations;
import dev.reef.access.TenantMembers;
import dev.reef.access.TenantPermission;
import dev.reef.audit.AuditLog;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.gateway.TenantProviderKeys;
import dev.reef.platform.PublicUrls;
import dev.reef.platform.ReefProperties;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A tenant's settings: API keys (a new key is shown once, on the page that answers the form, and never stored in
 * the session), its own provider keys (masked), members and invitations (the invitee's link shown once), and the
 * audit log.
 * Permissions are the API's: keys, provider keys and the audit log need an admin; members can be read by anyone in
 * the tenant and managed by admins.
 */
@Controller
@RequestMapping("/t/{tenantId}/settings")
class SettingsPages {

  static final Set<ApiKeyScope> DEFAULT_SCOPES = EnumSet.of(ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.LLM);
  private static final int AUDIT_PAGE = 50;

  private final AccessGuard guard;
  private final Navigation navigation;
  private final TenantApiKeys apiKeys;
  private final TenantProviderKeys providerKeys;
  private final TenantMembers members;
  private final TenantInvitations invitations;
  private final AuditLog audit;
  private final ReefProperties properties;

  SettingsPages(AccessGuard guard, Navigation navigation, TenantApiKeys apiKeys, TenantProviderKeys providerKeys,
      TenantMembers members, TenantInvitations invitations, AuditLog audit, ReefProperties properties) {
    this.guard = guard;
    this.navigation = navigation;
    this.apiKeys = apiKeys;
    this.providerKeys = providerKeys;
    this.members = members;
    this.invitations = invitations;
    this.audit = audit;
    this.properties = properties;
  }

  public record KeyLine(String id, String name, String hint, String scopes, String created, String lastUsed,
      boolean revoked) {}

  public record MemberLine(String userId, String email, String role, String since) {}

  public record InvitationLine(String id, String email, String role, String invitedBy, String expires) {}

  public record ProviderKeyLine(String provider, String hint, String updated) {}

  public record AuditLine(String at, String action, String actor, String address, String details) {}

  /** Settings open on the first page the caller's role may see. */
  @GetMapping
  String settings(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.MEMBERS_READ);
    return "redirect:/t/" + tenantId + "/settings/"
        + (navigation.allows(tenantId, TenantPermission.API_KEYS_READ) ? "api-keys" : "members");
  }

  // --- API keys ---

  @GetMapping("/api-keys")
  String apiKeys(@PathVariable TenantId tenantId, Model model) {
    guard.require(tenantId, TenantPermission.API_KEYS_READ);
    return apiKeysPage(tenantId, model);
  }

  @PostMapping("/api-keys")
  String createApiKey(@PathVariable TenantId tenantId, @RequestParam String name,
      @RequestParam(required = false) List<String> scopes, Model model) {
    Caller caller = guard.require(tenantId, TenantPermission.API_KEYS_MANAGE);
    if (scopes == null || scopes.isEmpty()) {
      // a key that can do nothing is a mistake, and quietly giving it the defaults would be a bigger one
      model.addAttribute("failure", "Choose at least one scope for the key: what it may do.");
      model.addAttribute("keyName", name);
      return apiKeysPage(tenantId, model);
    }
    try {
      Set<ApiKeyScope> chosen = scopes.stream().map(ApiKeyScope::parse).collect(Collectors.toCollection(
          () -> EnumSet.noneOf(ApiKeyScope.class)));
      model.addAttribute("createdKey", apiKeys.create(tenantId, name, chosen, navigation.user().userId(),
          caller.actor()));
    } catch (ProblemException e) {
      failOrThrow(e, model);
    }
    return apiKeysPage(tenantId, model);
  }

  @PostMapping("/api-keys/{keyId}/revoke")
  String revokeApiKey(@PathVariable TenantId tenantId, @PathVariable UUID keyId, RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.API_KEYS_MANAGE);
    return FormOutcome.run(flash, "/t/" + tenantId + "/settings/api-keys", "The key was revoked; it no longer works.",
        () -> apiKeys.revoke(tenantId, keyId, caller.actor()));
  }

  private String apiKeysPage(TenantId tenantId, Model model) {
    navigation.tenantPage(model, tenantId, "settings");
    model.addAttribute("page", "api-keys");
    model.addAttribute("keys", apiKeys.listKeys(tenantId).stream().map(k -> new KeyLine(k.id().toString(),
        k.name(), k.hint(), k.scopes().stream().map(ApiKeyScope::json).collect(Collectors.joining(", ")),
        AgentView.time(k.createdAt()), k.lastUsedAt() == null ? "never" : AgentView.time(k.lastUsedAt()),
        k.revokedAt() != null)).toList());
    model.addAttribute("allScopes", List.of(ApiKeyScope.values()).stream().map(ApiKeyScope::json).toList());
    model.addAttribute("defaultScopes", DEFAULT_SCOPES.stream().map(ApiKeyScope::json).toList());
    return "settings/api-keys";
  }

  // --- provider keys (BYOK) ---

  @GetMapping("/provider-keys")
  String providerKeys(@PathVariable TenantId tenantId, Model model) {
    guard.require(tenantId, TenantPermission.PROVIDER_KEYS_READ);
    navigation.tenantPage(model, tenantId, "settings");
    model.addAttribute("page", "provider-keys");
    model.addAttribute("keys", providerKeys.list(tenantId).stream().map(k -> new ProviderKeyLine(k.provider(),
        k.hint(), AgentView.time(k.updatedAt()))).toList());
    model.addAttribute("providers", providerKeys.providerNames());
    return "settings/provider-keys";
  }

  @PostMapping("/provider-keys")
  String putProviderKey(@PathVariable TenantId tenantId, @RequestParam String provider, @RequestParam String apiKey,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.PROVIDER_KEYS_MANAGE);
    return FormOutcome.run(flash, "/t/" + tenantId + "/settings/provider-keys",
        "Saved your key for " + provider + "; your calls to it now use it.",
        () -> providerKeys.put(tenantId, provider, apiKey.trim(), caller.actor()));
  }

  @PostMapping("/provider-keys/{provider}/delete")
  String deleteProviderKey(@PathVariable TenantId tenantId, @PathVariable String provider,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.PROVIDER_KEYS_MANAGE);
    return FormOutcome.run(flash, "/t/" + tenantId + "/settings/provider-keys",
        "Removed your key for " + provider + "; calls go back to the platform's key.",
        () -> providerKeys.delete(tenantId, provider, caller.actor()));
  }

  // --- members ---

  @GetMapping("/members")
  String members(@PathVariable TenantId tenantId, Model model) {
    guard.require(tenantId, TenantPermission.MEMBERS_READ);
    return membersPage(tenantId, model);
  }

  /** Invites (nobody joins without accepting); the link for the invitee is shown on the answer, this once. */
  @PostMapping("/members")
  String invite(@PathVariable TenantId tenantId, @RequestParam String email, @RequestParam String role,
      Model model) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    try {
      TenantInvitations.Invited invited = invitations.invite(tenantId, email, Role.parse(role), caller);
      model.addAttribute("invitedEmail", invited.invitation().email());
      model.addAttribute("inviteLink", PublicUrls.absolute(properties, invited.acceptPath()));
    } catch (ProblemException e) {
      failOrThrow(e, model);
    }
    return membersPage(tenantId, model);
  }

  @PostMapping("/invitations/{invitationId}/revoke")
  String revokeInvitation(@PathVariable TenantId tenantId, @PathVariable UUID invitationId,
      RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    return FormOutcome.run(flash, "/t/" + tenantId + "/settings/members", "The invitation was revoked.",
        () -> invitations.revoke(tenantId, invitationId, caller));
  }

  @PostMapping("/members/{userId}/remove")
  String removeMember(@PathVariable TenantId tenantId, @PathVariable UserId userId, RedirectAttributes flash) {
    Caller caller = guard.require(tenantId, TenantPermission.MEMBERS_MANAGE);
    return FormOutcome.run(flash, "/t/" + tenantId + "/settings/members", "The member was removed.",
        () -> members.remove(tenantId, userId, caller));
  }

  private String membersPage(TenantId tenantId, Model model) {
    navigation.tenantPage(model, tenantId, "settings");
    model.addAttribute("page", "members");
    model.addAttribute("members", members.list(tenantId).stream().map(m -> new MemberLine(m.userId().toString(),
        m.email(), m.role().json(), AgentView.time(m.since()))).toList());
    boolean canManage = navigation.allows(tenantId, TenantPermission.MEMBERS_MANAGE);
    model.addAttribute("canManage", canManage);
    model.addAttribute("invitations", !canManage ? List.of() : invitations.list(tenantId).stream()
        .filter(i -> i.status().equals("pending"))
        .map(i -> new InvitationLine(i.id().toString(), i.email(), i.role().json(), i.invitedBy(),
            AgentView.time(i.expiresAt()))).toList());
    return "settings/members";
  }

  // --- audit log ---

  @GetMapping("/audit")
  String audit(@PathVariable TenantId tenantId, @RequestParam(required = false) Long before, Model model) {
    guard.require(tenantId, TenantPermission.AUDIT_READ);
    navigation.tenantPage(model, tenantId, "settings");
    model.addAttribute("page", "audit");
    AuditLog.Page page = audit.list(tenantId, before == null || before < 1 ? null : before, AUDIT_PAGE);
    model.addAttribute("entries", page.items().stream().map(e -> new AuditLine(AgentView.time(e.occurredAt()),
        e.action(), e.actorDisplay() + " (" + e.actorKind() + ")", e.sourceAddress(),
        e.details() == null || e.details().equals("{}") ? "" : e.details())).toList());
    model.addAttribute("nextBefore", page.nextBefore());
    return "settings/audit";
  }

  /** A form's own mistake is shown above it; anything else is the error page. */
  private static void failOrThrow(ProblemException e, Model model) {
    if (!FormOutcome.fixable(e)) {
      throw e;
    }
    model.addAttribute("failure", e.detail());
  }
}
