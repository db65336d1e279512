package dev.reef.tenancy;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;

/** Self-service sign-up, for the dashboard's form: the same operation as {@code POST /api/v1/signup}. */
public interface Signups {

  /** Whether sign-up is open ({@code REEF_SIGNUP}). */
  boolean open();

  /**
   * Creates an active tenant on the default plan, its owner and a first API key, atomically.
   *
   * @throws dev.reef.common.ProblemException {@code signup-closed} when closed, 409 for a taken email, 400 for a weak
   *     password or a bad name
   */
  SignedUp signup(String email, String password, String tenantName, String sourceAddress);

  /**
   * As {@link #signup(String, String, String, String)}; {@code firstKey} false makes no API key (the dashboard's
   * sign-up: a person in a browser does not need one, and a key nobody saw is a risk nobody knows of).
   */
  SignedUp signup(String email, String password, String tenantName, String sourceAddress, boolean firstKey);

  /**
   * {@code apiKey} is the tenant's first key, with every scope: it exists only in this result; null when none was
   * asked for.
   */
  record SignedUp(TenantId tenantId, UserId userId, String apiKey, Tenant tenant) {}
}
