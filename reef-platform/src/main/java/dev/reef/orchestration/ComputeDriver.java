package dev.reef.orchestration;

import java.time.Duration;

/**
 * Where and how agents run. Implementations: {@code process} (one OS process per agent, the default) and
 * {@code kubernetes} (a StatefulSet per agent). Selected by {@code REEF_COMPUTE_DRIVER}.
 *
 * <p>Lifecycle: {@link #create} once per agent (its private filesystem, network address, limits); then any number
 * of {@link #start} / {@link #stop} pairs - each start with a freshly rendered {@link Launch}, because each start
 * gets fresh credentials; finally {@link #destroy}, which removes everything {@code create} made. Every method is
 * idempotent, and a placement survives a restart of Reef: the driver can find what it started from the placement
 * alone.
 */
public interface ComputeDriver {

  /** The value of {@code REEF_COMPUTE_DRIVER} that selects this driver. */
  String name();

  /** Whether runtimes must be installed on this machine (process) or come in an image (kubernetes). */
  boolean needsLocalRuntime();

  /**
   * Why no agent can be started by this driver right now (the machine lacks what its sandbox needs), in words for
   * an operator; empty when agents can start.
   */
  default java.util.Optional<String> unavailable() {
    return java.util.Optional.empty();
  }

  /**
   * Brings what the driver keeps for a tenant as a whole (a namespace and its quota) in line with its quota, making
   * it if needed. Called before each start of one of its agents, so a missed change is caught up then. Nothing by
   * default: the process driver has nothing per tenant.
   */
  default void prepareTenant(dev.reef.common.TenantId tenantId, TenantQuota quota) {}

  /**
   * The tenant's limits changed: the same as {@link #prepareTenant}, but only for a tenant the driver already keeps
   * something for (a tenant that never had an agent gets no namespace for it). Nothing by default.
   */
  default void tenantChanged(dev.reef.common.TenantId tenantId, TenantQuota quota) {}

  /** The tenant is gone: remove what the driver kept for it. Nothing by default. */
  default void tenantDeleted(dev.reef.common.TenantId tenantId) {}

  /**
   * Allocates the agent's filesystem, address and limits (the spec's, which the orchestration resolves from the
   * tenant's limits at every start). Nothing runs yet.
   *
   * @throws AgentCannotStartException when the driver cannot run agents at all here
   */
  Placement create(AgentSpec spec);

  /** Starts the agent as described; returns the placement as it is now (e.g. with the process id). */
  Placement start(Placement placement, Launch launch);

  /** Asks the agent to stop (SIGTERM or equivalent), and kills it if it is still there after {@code grace}. */
  Placement stop(Placement placement, Duration grace);

  /** Stops it if needed and removes everything {@link #create} made, files included. */
  void destroy(Placement placement);

  /** What is running for this placement right now. */
  Observed observe(Placement placement);

  /** The agent's output (stdout and stderr). */
  LogStream logs(Placement placement);
}
