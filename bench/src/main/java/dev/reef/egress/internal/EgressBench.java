package dev.reef.egress.internal;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEgress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Reef's egress proxy, its real connection handling, for the sandbox benchmark: with an allowlist fixed in memory
 * and connections counted rather than written to a database, so what is measured is the proxy's path.
 */
public final class EgressBench {

  private EgressBench() {}

  /** An egress proxy that allows {@code host:port} for every tenant. */
  public static AgentEgress proxyAllowing(String host, int port) {
    EgressPolicy.Effective allow = new EgressPolicy.Effective(List.of(new EgressRule(host, List.of(port))),
        EgressPolicy.Source.TENANT, "bench", true);
    EgressPolicy policy = new EgressPolicy(null, null, null) {
      @Override
      Effective current(TenantId tenantId) {
        return allow;
      }
    };
    EgressRecorder recorder = new EgressRecorder(null) {
      @Override
      void record(EgressProxy.Agent agent, EgressRepository.Connection c) {
        // counted by the benchmark's own clock, not stored
      }
    };
    return new EgressProxy(policy, recorder, new EgressProperties(0, Duration.ofSeconds(10), Duration.ofSeconds(10),
        64), null, Clock.systemUTC());
  }
}
