package dev.reef.orchestration.internal;

import dev.reef.common.DataScope;
import dev.reef.orchestration.DesiredState;
import dev.reef.tenancy.TenantEvents;
import java.time.Clock;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A suspended tenant's agents are stopped (the kill switch: nothing of theirs keeps running or spending); resuming
 * does not start them again by itself. This listener makes it immediate on the replica that suspended the tenant;
 * the reconciler's own loop, which reads tenants' status, makes it certain (durable across a crash right after the
 * commit). A deleted tenant's agents are removed by the reconciler's orphan sweep.
 */
@Component
final class TenantAgentsListener {

  private final AgentRepository agents;
  private final AgentReconciler reconciler;
  private final TransactionTemplate tx;
  private final Clock clock;

  TenantAgentsListener(AgentRepository agents, AgentReconciler reconciler, TransactionTemplate tx, Clock clock) {
    this.agents = agents;
    this.reconciler = reconciler;
    this.tx = tx;
    this.clock = clock;
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
}
