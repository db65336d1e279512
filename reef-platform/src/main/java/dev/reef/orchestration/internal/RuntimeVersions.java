package dev.reef.orchestration.internal;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentRuntime;
import java.time.Clock;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which version of a runtime a new agent gets: its tenant's pin while it holds; else the version the last rollout
 * to every tenant moved agents to; else the version configured for the runtime ({@code REEF_OPENCLAW_VERSION}).
 */
@Component
final class RuntimeVersions {

  private final RolloutRepository rollouts;
  private final TransactionTemplate tx;
  private final Clock clock;

  RuntimeVersions(RolloutRepository rollouts, TransactionTemplate tx, Clock clock) {
    this.rollouts = rollouts;
    this.tx = tx;
    this.clock = clock;
  }

  String forNewAgent(TenantId tenantId, AgentRuntime runtime) {
    String pinned = DataScope.callAs(tenantId, () -> tx.execute(s -> rollouts.pin(tenantId, runtime.name())
        .filter(pin -> pin.holdsAt(clock.instant())).map(RuntimePin::version).orElse(null)));
    return pinned != null ? pinned : current(runtime);
  }

  /** The version new agents of tenants without a pin get. */
  String current(AgentRuntime runtime) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> rollouts.defaultVersion(runtime.name())))
        .orElse(runtime.defaultVersion());
  }
}
