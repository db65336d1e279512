package dev.reef.orchestration.internal;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DesiredState;
import dev.reef.orchestration.TenantQuota;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.Limits;
import dev.reef.tenancy.TenantEvents;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a tenant's changes mean for its agents.
 *
 * <p>A suspended tenant's agents are stopped (the kill switch: nothing of theirs keeps running or spending); resuming
 * does not start them again by itself. This listener makes it immediate on the replica that suspended the tenant;
 * the reconciler's own loop, which reads tenants' status, makes it certain (durable across a crash right after the
 * commit). A deleted tenant's agents are removed by the reconciler's orphan sweep.
 *
 * <p>A change of a tenant's limits (or of its plan) goes to the compute driver as its new {@link TenantQuota}, and
 * its deletion too, on a virtual thread so the request that changed it does not wait for a cluster; a change missed
 * (Reef stopped in between, the cluster unreachable) is made before the next start of one of its agents.
 */
@Component
final class TenantAgentsListener implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(TenantAgentsListener.class);

  private final AgentRepository agents;
  private final AgentReconciler reconciler;
  private final ComputeDriver driver;
  private final EffectiveLimits limits;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();

  TenantAgentsListener(AgentRepository agents, AgentReconciler reconciler, ActiveDriver driver,
      EffectiveLimits limits, TransactionTemplate tx, Clock clock) {
    this.agents = agents;
    this.reconciler = reconciler;
    this.driver = driver.get();
    this.limits = limits;
    this.tx = tx;
    this.clock = clock;
  }

  /** A tenant's limits as the compute driver sees them. */
  static TenantQuota quota(Limits limits) {
    return new TenantQuota(limits.maxAgents(), limits.agentMemoryMb(), limits.agentCpuMillis());
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantSuspended suspended) {
    DataScope.runAs(suspended.tenant(), () -> tx.executeWithoutResult(s -> {
      for (AgentRow row : agents.listLive(suspended.tenant())) {
        if (row.desired() == DesiredState.RUNNING) {
          agents.setDesired(suspended.tenant(), row.id(), DesiredState.STOPPED, clock.instant());
          reconciler.nudge(row.id(), suspended.tenant());
        }
      }
    }));
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantLimitsChanged changed) {
    quotaChanged(changed.tenant());
  }

  /** Of a tenant's updates only a new plan brings new limits. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantUpdated updated) {
    if (updated.changes().containsKey("plan")) {
      quotaChanged(updated.tenant());
    }
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantDeleted deleted) {
    work.submit(() -> {
      try {
        driver.tenantDeleted(deleted.tenant());
      } catch (RuntimeException e) {
        log.warn("Could not remove what the {} driver kept for deleted tenant {}: {}", driver.name(),
            deleted.tenant(), e.toString());
      }
    });
  }

  private void quotaChanged(TenantId tenantId) {
    work.submit(() -> {
      try {
        TenantQuota quota = quota(DataScope.callAs(tenantId, () -> limits.of(tenantId)));
        driver.tenantChanged(tenantId, quota);
      } catch (RuntimeException e) {
        log.warn("Could not apply the new limits of tenant {} on the {} driver (applied at its next agent start): {}",
            tenantId, driver.name(), e.toString());
      }
    });
  }

  @Override
  public void destroy() {
    work.shutdownNow();
  }
}
