package dev.reef.kubernetes;

import dev.reef.common.TenantId;
import dev.reef.tenancy.TenantEvents;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * A tenant's namespace follows its limits: once a change of its limits or of its plan is committed, its quota,
 * limit range and agents' resources are brought in line; once the tenant is deleted, its namespace goes. The work
 * runs on a virtual thread, so the request that changed the limits does not wait for the cluster. A change missed
 * (Reef stopped in between, the API unreachable) is made at the next create or start of one of its agents, which
 * bring the namespace in line too.
 */
final class TenantLimitsListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TenantLimitsListener.class);

  private final TenantNamespaces tenants;
  private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();

  TenantLimitsListener(TenantNamespaces tenants) {
    this.tenants = tenants;
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantLimitsChanged changed) {
    limitsChanged(changed.tenant());
  }

  /** Of a tenant's updates only a new plan brings new limits. */
  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantUpdated updated) {
    if (updated.changes().containsKey("plan")) {
      limitsChanged(updated.tenant());
    }
  }

  @TransactionalEventListener(fallbackExecution = true)
  void on(TenantEvents.TenantDeleted deleted) {
    work.submit(() -> {
      try {
        tenants.delete(deleted.tenant());
      } catch (RuntimeException e) {
        log.warn("Could not delete the namespace of deleted tenant {}: {}", deleted.tenant(), e.toString());
      }
    });
  }

  private void limitsChanged(TenantId tenantId) {
    work.submit(() -> {
      try {
        tenants.limitsChanged(tenantId);
      } catch (RuntimeException e) {
        log.warn("Could not apply the new limits of tenant {} to its namespace (applied at its next agent start): {}",
            tenantId, e.toString());
      }
    });
  }

  @Override
  public void close() {
    work.shutdown();
  }
}
