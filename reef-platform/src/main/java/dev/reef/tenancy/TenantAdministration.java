package dev.reef.tenancy;

import dev.reef.common.Actor;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import java.util.List;
import java.util.Map;

/**
 * The operator's tenant operations, for the dashboard: the same as the operator's tenant and limits endpoints.
 * Callers check access (the guard) first.
 */
public interface TenantAdministration {

  /** Tenants across the platform whose name or slug contains {@code search} (null: all), optionally by status. */
  List<Tenant> list(String search, TenantStatus status, int limit, int offset);

  /**
   * Creates an active tenant, as {@code POST /api/v1/tenants} does; {@code slug} null derives one from the name,
   * {@code planId} null is the default plan.
   */
  Tenant create(String displayName, String slug, String planId, Actor actor);

  /** The plans a tenant can be on, by id, with their names. */
  java.util.Map<String, String> plans();

  /**
   * Every plan with the limits it sets: a value, or null for unlimited; a limit it does not set is absent (its
   * tenants get the platform default).
   */
  java.util.List<PlanInfo> planDetails();

  /** Creates or replaces a plan, as {@code PUT /api/v1/plans/{planId}} does. */
  PlanInfo putPlan(String planId, String displayName, Map<LimitName, String> limits);

  record PlanInfo(String id, String displayName, Map<LimitName, String> limits) {}

  Tenant suspend(TenantId tenantId, String reason, Actor actor);

  Tenant resume(TenantId tenantId, Actor actor);

  /**
   * Replaces the tenant's limit overrides: a value (as {@link LimitName#normalize} returns it) sets a limit, a null
   * value makes it unlimited, and a limit left out follows the plan.
   */
  void replaceOverrides(TenantId tenantId, Map<LimitName, String> overrides, Actor actor);
}
