package dev.reef.orchestration;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What agents have scheduled for themselves, for the API and the dashboard. Tenant first; another's is 404. */
public interface AgentSchedules {

  /** The agent's upcoming runs: asked of it when it runs, else as it said last (before it went to sleep). */
  Schedule schedule(TenantId tenantId, UUID agentId);

  /**
   * @param nextWakeAt the soonest run Reef wakes the agent for (null: none)
   * @param checkedAt when the agent said so (null: never asked)
   * @param live whether the agent was asked just now
   */
  record Schedule(List<ScheduledRun> runs, Instant nextWakeAt, Instant checkedAt, boolean live) {

    public Schedule {
      runs = List.copyOf(runs);
    }

    public static final Schedule NONE = new Schedule(List.of(), null, null, false);
  }
}
