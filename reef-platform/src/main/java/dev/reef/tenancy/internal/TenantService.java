package dev.reef.tenancy.internal;

import dev.reef.common.Actor;
import dev.reef.common.ConflictException;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.tenancy.LimitName;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantAdministration;
import dev.reef.tenancy.TenantEvents;
import java.time.Clock;
import java.text.Normalizer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tenant lifecycle: create, rename, change plan, suspend, resume, delete, and limit overrides. */
@Service
@Transactional
class TenantService implements TenantAdministration {

  static final String DEFAULT_PLAN = "default";

  private final TenantRepository tenants;
  private final LimitRepository limits;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  TenantService(TenantRepository tenants, LimitRepository limits, ApplicationEventPublisher events, Clock clock) {
    this.tenants = tenants;
    this.limits = limits;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public Tenant create(String displayName, String slug, String planId, Actor actor) {
    return create(displayName, slug == null || slug.isBlank() ? null : slug.trim(), planId, actor, false);
  }

  @Override
  public java.util.Map<String, String> plans() {
    java.util.Map<String, String> plans = new java.util.LinkedHashMap<>();
    DataScope.callAsPlatform(() -> limits.plans()).forEach(p -> plans.put(p.id(), p.displayName()));
    return plans;
  }

  @Override
  public java.util.List<PlanInfo> planDetails() {
    return DataScope.callAsPlatform(() -> limits.plans().stream()
        .map(p -> new PlanInfo(p.id(), p.displayName(), limits.planLimits(p.id()))).toList());
  }

  @Override
  public PlanInfo putPlan(String planId, String displayName, Map<LimitName, String> planLimits) {
    if (planId == null || !PLAN_ID.matcher(planId).matches()) {
      throw new InvalidRequestException("planId", "must be 1 to 64 lower-case letters, digits and dashes");
    }
    if (displayName == null || displayName.isBlank() || displayName.length() > 200) {
      throw new InvalidRequestException("displayName", "must be 1 to 200 characters");
    }
    DataScope.runAsPlatform(() -> limits.upsertPlan(planId, displayName.trim(), planLimits, clock.instant()));
    return new PlanInfo(planId, displayName.trim(), DataScope.callAsPlatform(() -> limits.planLimits(planId)));
  }

  private static final java.util.regex.Pattern PLAN_ID = java.util.regex.Pattern.compile("^[a-z0-9][a-z0-9-]{0,63}$");

  /** Creates an active tenant; a taken or missing slug is derived from the name with a random suffix. */
  Tenant create(String displayName, String requestedSlug, String planId, Actor actor, boolean signup) {
    String name = checkName(displayName);
    String plan = planId == null ? DEFAULT_PLAN : planId;
    if (limits.plan(plan).isEmpty()) {
      throw new InvalidRequestException("plan", "no plan '" + plan + "'");
    }
    String slug = DataScope.callAsPlatform(() -> chooseSlug(name, requestedSlug));
    Instant now = clock.instant();
    TenantId id = TenantId.random();
    Tenant tenant = new Tenant(id, slug, name, TenantStatus.ACTIVE, plan, now, now, null, null);
    DataScope.runAsPlatform(() -> tenants.insert(id, tenant));
    events.publishEvent(new TenantEvents.TenantCreated(id, actor, slug, plan, signup));
    return tenant;
  }

  private String chooseSlug(String name, String requested) {
    if (requested != null) {
      if (tenants.slugTakenAcrossTenants(Slugs.check(requested))) {
        throw new ConflictException("The slug '" + requested + "' is taken.");
      }
      return requested;
    }
    String base = Slugs.from(name);
    String slug = base;
    for (int attempt = 0; tenants.slugTakenAcrossTenants(slug); attempt++) {
      if (attempt > 20) {
        throw new IllegalStateException("Could not find a free slug for " + base);
      }
      slug = Slugs.withSuffix(base);
    }
    return slug;
  }

  @Transactional(readOnly = true)
  Tenant get(TenantId tenantId) {
    return tenants.find(tenantId).orElseThrow(() -> new NotFoundException("tenant", tenantId.toString()));
  }

  @Override
  @Transactional(readOnly = true)
  public List<Tenant> list(String search, TenantStatus status, int limit, int offset) {
    return tenants.listAcrossTenants(search, status, limit, offset);
  }

  Tenant update(TenantId tenantId, String displayName, String slug, String planId, Actor actor) {
    Tenant current = get(tenantId);
    Map<String, Object> changes = new LinkedHashMap<>();
    String newName = displayName == null ? current.displayName() : checkName(displayName);
    if (!newName.equals(current.displayName())) {
      // Two tenants that look alike in the operator's list and in a member's switcher invite mistakes (and
      // impersonation): a rename may not take another tenant's name. Sign-ups may share one; the slug tells them
      // apart wherever names are shown.
      if (DataScope.callAsPlatform(() -> tenants.anotherTenantNamed(tenantId, newName))) {
        throw new ConflictException("Another tenant is already called '" + newName
            + "'; choose a name that tells yours apart.");
      }
      changes.put("displayName", newName);
    }
    String newSlug = current.slug();
    if (slug != null && !slug.equals(current.slug())) {
      Slugs.check(slug);
      if (DataScope.callAsPlatform(() -> tenants.slugTakenAcrossTenants(slug))) {
        throw new ConflictException("The slug '" + slug + "' is taken.");
      }
      newSlug = slug;
      changes.put("slug", slug);
    }
    String newPlan = current.planId();
    if (planId != null && !planId.equals(current.planId())) {
      if (DataScope.callAsPlatform(() -> limits.plan(planId)).isEmpty()) {
        throw new InvalidRequestException("plan", "no plan '" + planId + "'");
      }
      newPlan = planId;
      changes.put("plan", planId);
    }
    if (!changes.isEmpty()) {
      tenants.update(tenantId, newSlug, newName, newPlan, clock.instant());
      events.publishEvent(new TenantEvents.TenantUpdated(tenantId, actor, changes));
    }
    return get(tenantId);
  }

  @Override
  public Tenant suspend(TenantId tenantId, String reason, Actor actor) {
    Tenant current = get(tenantId);
    if (reason != null && reason.length() > 500) {
      throw new InvalidRequestException("reason", "must be at most 500 characters");
    }
    if (current.status() != TenantStatus.SUSPENDED) {
      tenants.setStatus(tenantId, TenantStatus.SUSPENDED, reason, clock.instant());
      events.publishEvent(new TenantEvents.TenantSuspended(tenantId, actor, reason));
    }
    return get(tenantId);
  }

  @Override
  public Tenant resume(TenantId tenantId, Actor actor) {
    Tenant current = get(tenantId);
    if (current.status() != TenantStatus.ACTIVE) {
      tenants.setStatus(tenantId, TenantStatus.ACTIVE, null, clock.instant());
      events.publishEvent(new TenantEvents.TenantResumed(tenantId, actor));
    }
    return get(tenantId);
  }

  /** Deletes the tenant and, by cascade, everything it owns; its audit log is kept. */
  void delete(TenantId tenantId, Actor actor) {
    Tenant current = get(tenantId);
    // Published first so listeners (stopping agents, say) still see the tenant's rows in this transaction.
    events.publishEvent(new TenantEvents.TenantDeleted(tenantId, actor, current.slug()));
    tenants.delete(tenantId);
  }

  @Override
  public void replaceOverrides(TenantId tenantId, Map<LimitName, String> overrides, Actor actor) {
    get(tenantId);
    limits.replaceOverrides(tenantId, overrides);
    Map<String, Object> details = new LinkedHashMap<>();
    overrides.forEach((name, value) -> details.put(name.json(), value == null ? "unlimited" : value));
    events.publishEvent(new TenantEvents.TenantLimitsChanged(tenantId, actor, details));
  }

  /** Trimmed, runs of white space made one space, compatibility forms folded (NFKC: full-width letters and so on). */
  private static String checkName(String name) {
    String normal = name == null ? "" : Normalizer.normalize(name, Normalizer.Form.NFKC).strip()
        .replaceAll("\\s+", " ");
    if (normal.isEmpty() || normal.length() > 200) {
      throw new InvalidRequestException("displayName", "must be 1 to 200 characters");
    }
    if (normal.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequestException("displayName", "must not contain control characters");
    }
    return normal;
  }
}
