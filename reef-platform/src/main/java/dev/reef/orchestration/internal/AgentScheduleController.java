package dev.reef.orchestration.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentSchedules;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** What an agent has scheduled for itself, and when Reef will wake it for it. */
@RestController
@Tag(name = "Agents")
class AgentScheduleController {

  private final AccessGuard guard;
  private final AgentSchedules schedules;

  AgentScheduleController(AccessGuard guard, AgentSchedules schedules) {
    this.guard = guard;
    this.schedules = schedules;
  }

  /** @param kind {@code job}, {@code heartbeat} or {@code system} (the runtime's upkeep, which wakes nothing) */
  record Run(String name, Instant at, String kind, boolean wakesAgent) {}

  /** @param live whether the agent was asked just now (else: what it said at {@code checkedAt}, before sleeping) */
  record ScheduleView(List<Run> runs, Instant nextWakeAt, Instant checkedAt, boolean live) {}

  @GetMapping("/api/v1/tenants/{tenantId}/agents/{agentId}/schedule")
  @Operation(summary = "An agent's upcoming scheduled runs (OpenClaw automations and heartbeats)")
  ScheduleView schedule(@PathVariable TenantId tenantId, @PathVariable UUID agentId) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    AgentSchedules.Schedule schedule = schedules.schedule(tenantId, agentId);
    return new ScheduleView(schedule.runs().stream().map(r -> new Run(r.name(), r.at(),
        r.kind().name().toLowerCase(Locale.ROOT), r.wakesAgent())).toList(), schedule.nextWakeAt(),
        schedule.checkedAt(), schedule.live());
  }
}
