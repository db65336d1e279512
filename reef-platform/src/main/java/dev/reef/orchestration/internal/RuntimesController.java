package dev.reef.orchestration.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.Caller;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.orchestration.RuntimeRollouts;
import dev.reef.orchestration.RuntimeRollouts.Pin;
import dev.reef.orchestration.RuntimeRollouts.Rollout;
import dev.reef.orchestration.RuntimeRollouts.RolloutAgentStatus;
import dev.reef.orchestration.RuntimeRollouts.RolloutRequest;
import dev.reef.orchestration.RuntimeRollouts.RuntimeInfo;
import dev.reef.orchestration.RuntimeRollouts.VersionInfo;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Runtime versions and rollouts (the operator's), and tenants' pins. */
@RestController
@Tag(name = "Runtimes")
class RuntimesController {

  private final AccessGuard guard;
  private final RuntimeRollouts rollouts;

  RuntimesController(AccessGuard guard, RuntimeRollouts rollouts) {
    this.guard = guard;
    this.rollouts = rollouts;
  }

  record RuntimeList(List<RuntimeInfo> items) {}

  record Install(@NotBlank @Size(max = 32) String version) {}

  record RolloutList(List<Rollout> items) {}

  record RolloutAgentList(List<RolloutAgentStatus> items) {}

  record PinList(List<Pin> items) {}

  /** As {@link RolloutRequest}, with tenants as the API spells them. */
  record StartRollout(@NotBlank @Size(max = 32) String runtime, @NotBlank @Size(max = 32) String targetVersion,
      @Size(max = 1000) List<UUID> tenants, Integer canaryPercent, @Size(max = 1000) List<UUID> canaryTenants,
      Integer batchSize, Integer pauseSeconds) {

    RolloutRequest request() {
      return new RolloutRequest(runtime, targetVersion, tenantIds(tenants), canaryPercent, tenantIds(canaryTenants),
          batchSize, pauseSeconds);
    }

    private static List<TenantId> tenantIds(List<UUID> ids) {
      return ids == null ? null : ids.stream().map(id -> id == null ? null : new TenantId(id)).toList();
    }
  }

  /** {@code days}: how long the pin holds; at most (and by default) the plan's {@code runtimePinDays}. */
  record PinRequest(@NotBlank @Size(max = 32) String version, Integer days) {}

  @GetMapping("/api/v1/runtimes")
  @Operation(summary = "Runtimes with their installed versions, the agents on each, and installs under way; "
      + "available=true also asks the runtime's registry which versions exist")
  RuntimeList runtimes(@RequestParam(defaultValue = "false") boolean available) {
    guard.requireOperator();
    return new RuntimeList(rollouts.runtimes(available));
  }

  @PostMapping("/api/v1/runtimes/{runtime}/installs")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Install a version into the shared runtime cache (in the background; see GET /api/v1/runtimes)")
  VersionInfo install(@PathVariable String runtime, @Valid @RequestBody Install body) {
    Caller caller = guard.requireOperator();
    return rollouts.install(runtime, body.version(), caller.actor());
  }

  @PostMapping("/api/v1/runtimes/rollouts")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Roll a runtime version out to agents: canary first, then batches, each health-checked; a "
      + "failed batch stops the rollout and is rolled back")
  Rollout start(@Valid @RequestBody StartRollout body) {
    Caller caller = guard.requireOperator();
    return rollouts.start(body.request(), caller.actor());
  }

  @GetMapping("/api/v1/runtimes/rollouts")
  @Operation(summary = "Rollouts, newest first, with how many agents are in each state")
  RolloutList list() {
    guard.requireOperator();
    return new RolloutList(rollouts.list());
  }

  @GetMapping("/api/v1/runtimes/rollouts/{rolloutId}")
  @Operation(summary = "One rollout's progress")
  Rollout get(@PathVariable UUID rolloutId) {
    guard.requireOperator();
    return rollouts.get(rolloutId);
  }

  @GetMapping("/api/v1/runtimes/rollouts/{rolloutId}/agents")
  @Operation(summary = "Each agent a rollout covers: its batch, the version it came from and how its move went")
  RolloutAgentList agents(@PathVariable UUID rolloutId) {
    guard.requireOperator();
    return new RolloutAgentList(rollouts.agents(rolloutId));
  }

  @PostMapping("/api/v1/runtimes/rollouts/{rolloutId}/pause")
  @Operation(summary = "Pause a rollout: no new moves; moves under way finish")
  Rollout pause(@PathVariable UUID rolloutId) {
    Caller caller = guard.requireOperator();
    return rollouts.pause(rolloutId, caller.actor());
  }

  @PostMapping("/api/v1/runtimes/rollouts/{rolloutId}/resume")
  @Operation(summary = "Resume a paused rollout")
  Rollout resume(@PathVariable UUID rolloutId) {
    Caller caller = guard.requireOperator();
    return rollouts.resume(rolloutId, caller.actor());
  }

  @PostMapping("/api/v1/runtimes/rollouts/{rolloutId}/cancel")
  @Operation(summary = "Cancel a rollout: agents already moved stay, the rest are not moved")
  Rollout cancel(@PathVariable UUID rolloutId) {
    Caller caller = guard.requireOperator();
    return rollouts.cancel(rolloutId, caller.actor());
  }

  @GetMapping("/api/v1/tenants/{tenantId}/runtime-pins")
  @Operation(summary = "The runtime versions this tenant holds its agents on, and until when")
  PinList pins(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.AGENTS_READ);
    return new PinList(rollouts.pins(tenantId));
  }

  @PutMapping("/api/v1/tenants/{tenantId}/runtime-pins/{runtime}")
  @Operation(summary = "Hold this tenant's agents on a runtime version for a while, if its plan allows "
      + "(runtimePinDays); rollouts pass them by")
  Pin pin(@PathVariable TenantId tenantId, @PathVariable String runtime, @Valid @RequestBody PinRequest body) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    return rollouts.pin(tenantId, runtime, body.version(), body.days(), caller.actor());
  }

  @DeleteMapping("/api/v1/tenants/{tenantId}/runtime-pins/{runtime}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Release a pin: the tenant's agents move with the next rollout")
  void unpin(@PathVariable TenantId tenantId, @PathVariable String runtime) {
    Caller caller = guard.require(tenantId, TenantPermission.AGENTS_MANAGE);
    rollouts.unpin(tenantId, runtime, caller.actor());
  }
}
