package dev.reef.egress.internal;

import dev.reef.common.DataScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes each agent connection to its tenant's egress log (the API's {@code .../egress/connections}, summed by
 * {@code .../egress/usage}) and to Reef's log ({@code reef.egress}). A failure to record is logged, never the
 * agent's problem: the connection has happened.
 */
@Component
class EgressRecorder {

  private static final Logger log = LoggerFactory.getLogger("reef.egress");

  private final EgressRepository repository;

  EgressRecorder(EgressRepository repository) {
    this.repository = repository;
  }

  void record(EgressProxy.Agent agent, EgressRepository.Connection c) {
    if (c.allowed()) {
      log.info("egress allowed: tenant {} agent {} {}:{} ({}) out {} B in {} B", agent.tenantId(), agent.agentId(),
          c.host(), c.port(), c.address(), c.bytesOut(), c.bytesIn());
    } else {
      log.info("egress denied: tenant {} agent {} {}:{}: {}", agent.tenantId(), agent.agentId(), c.host(),
          c.port(), c.reason());
    }
    try {
      DataScope.runAs(agent.tenantId(), () -> repository.record(agent.tenantId(), c));
    } catch (RuntimeException e) {
      log.warn("Could not record an egress connection of tenant {}: {}", agent.tenantId(), e.toString());
    }
  }
}
