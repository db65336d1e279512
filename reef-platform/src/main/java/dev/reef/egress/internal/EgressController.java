package dev.reef.egress.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.TenantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The egress allowlists (a tenant's, read by its members and set by the operator; a plan's, the operator's) and
 * what a tenant's agents reached through the egress proxy.
 */
@RestController
@Tag(name = "Egress")
class EgressController {

  private static final int MAX_DAYS = 366;
  private static final List<String> GROUPS = List.of("day", "agent", "host");

  private final AccessGuard guard;
  private final EgressPolicy policy;
  private final EgressRepository repository;
  private final TransactionTemplate tx;
  private final Clock clock;

  EgressController(AccessGuard guard, EgressPolicy policy, EgressRepository repository, TransactionTemplate tx,
      Clock clock) {
    this.guard = guard;
    this.policy = policy;
    this.repository = repository;
    this.tx = tx;
    this.clock = clock;
  }

  record Rule(String host, List<Integer> ports) {
    static List<Rule> of(List<EgressRule> rules) {
      return rules == null ? null : rules.stream().map(r -> new Rule(r.host(), r.ports())).toList();
    }
  }

  /**
   * @param rules the allowlist in force
   * @param source where it comes from: {@code tenant} (the operator's override), {@code plan}, or {@code none}
   * @param override the operator's allowlist for this tenant, or null when it follows its plan
   */
  record TenantEgress(String tenantId, List<Rule> rules, String source, String planId, List<Rule> override) {}

  record PlanEgress(String planId, List<Rule> rules) {}

  record ConnectionView(long id, UUID agentId, String host, int port, String address, boolean allowed,
      String reason, long bytesOut, long bytesIn, Instant startedAt, Instant endedAt) {}

  record ConnectionList(List<ConnectionView> items, Long nextBefore) {}

  record UsageGroup(String key, long connections, long denied, long bytesOut, long bytesIn) {}

  record UsageView(String from, String to, String groupBy, List<UsageGroup> groups, UsageGroup totals) {}

  @GetMapping("/api/v1/tenants/{tenantId}/egress")
  @Operation(summary = "The hosts the tenant's agents may reach, and where that allowlist comes from")
  TenantEgress get(@PathVariable TenantId tenantId) {
    guard.require(tenantId, TenantPermission.EGRESS_READ);
    return view(tenantId);
  }

  /**
   * Body: {@code {"rules": [{"host": "api.github.com", "ports": [443]}, {"host": "*.pypi.org"}]}} (ports default
   * to [443]); {@code {"rules": null}} drops the override, so the tenant follows its plan again.
   */
  @PutMapping("/api/v1/tenants/{tenantId}/egress")
  @Operation(summary = "Set the tenant's allowlist, replacing its plan's (operator); rules null: follow the plan")
  TenantEgress put(@PathVariable TenantId tenantId, @RequestBody JsonNode body) {
    guard.require(tenantId, TenantPermission.EGRESS_WRITE);
    JsonNode rules = rulesOf(body);
    if (rules.isNull()) {
      tx.executeWithoutResult(s -> repository.removeTenantOverride(tenantId));
    } else {
      List<EgressRule> parsed = EgressRule.parseAll(rules, "rules");
      tx.executeWithoutResult(s -> repository.setTenantOverride(tenantId, parsed, clock.instant()));
    }
    policy.changed(tenantId);
    return view(tenantId);
  }

  @GetMapping("/api/v1/plans/{planId}/egress")
  @Operation(summary = "A plan's allowlist: what its tenants' agents may reach (operator)")
  PlanEgress getPlan(@PathVariable String planId) {
    guard.requireOperator();
    return DataScope.callAsPlatform(() -> tx.execute(s -> {
      if (!repository.planExists(planId)) {
        throw new NotFoundException("plan", planId);
      }
      return new PlanEgress(planId, Rule.of(repository.plan(planId).orElse(List.of())));
    }));
  }

  /** Body: {@code {"rules": [...]}}, as for a tenant; an empty list allows nothing. */
  @PutMapping("/api/v1/plans/{planId}/egress")
  @Operation(summary = "Set a plan's allowlist (operator)")
  PlanEgress putPlan(@PathVariable String planId, @RequestBody JsonNode body) {
    guard.requireOperator();
    JsonNode rules = rulesOf(body);
    if (rules.isNull()) {
      throw new InvalidRequestException("rules", "a plan's allowlist is a list; [] allows nothing");
    }
    List<EgressRule> parsed = EgressRule.parseAll(rules, "rules");
    PlanEgress saved = DataScope.callAsPlatform(() -> tx.execute(s -> {
      if (!repository.planExists(planId)) {
        throw new NotFoundException("plan", planId);
      }
      repository.setPlan(planId, parsed, clock.instant());
      return new PlanEgress(planId, Rule.of(parsed));
    }));
    policy.changedAll();
    return saved;
  }

  @GetMapping("/api/v1/tenants/{tenantId}/egress/connections")
  @Operation(summary = "The tenant's agents' outbound connections, allowed and denied, newest first")
  ConnectionList connections(@PathVariable TenantId tenantId,
      @Parameter(description = "at most this many (1-500, default 100)") @RequestParam(required = false)
      Integer limit,
      @Parameter(description = "only connections with a smaller id (the previous page's nextBefore)")
      @RequestParam(required = false) Long before) {
    guard.require(tenantId, TenantPermission.EGRESS_READ);
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 500) {
      throw new InvalidRequestException("limit", "must be from 1 to 500");
    }
    List<ConnectionView> items = tx.execute(s -> repository.connections(tenantId, before, n)).stream()
        .map(c -> new ConnectionView(c.id(), c.agentId(), c.host(), c.port(), c.address(), c.allowed(),
            c.reason(), c.bytesOut(), c.bytesIn(), c.startedAt(), c.endedAt()))
        .toList();
    return new ConnectionList(items, items.size() == n ? items.getLast().id() : null);
  }

  @GetMapping("/api/v1/tenants/{tenantId}/egress/usage")
  @Operation(summary = "Bytes and connections through the egress proxy, by day, agent or host")
  UsageView usage(@PathVariable TenantId tenantId,
      @Parameter(description = "first day, YYYY-MM-DD (default: the first of this month)")
      @RequestParam(required = false) String from,
      @Parameter(description = "last day, YYYY-MM-DD (default: today)") @RequestParam(required = false) String to,
      @Parameter(description = "day (default), agent or host") @RequestParam(required = false) String groupBy) {
    guard.require(tenantId, TenantPermission.EGRESS_READ);
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    LocalDate start = date("from", from, today.withDayOfMonth(1));
    LocalDate end = date("to", to, today);
    if (start.isAfter(end)) {
      throw new InvalidRequestException("from", "must not be after to (" + end + ")");
    }
    if (ChronoUnit.DAYS.between(start, end) + 1 > MAX_DAYS) {
      throw new InvalidRequestException("to", "the range may span at most " + MAX_DAYS + " days");
    }
    String group = groupBy == null || groupBy.isBlank() ? "day" : groupBy.trim().toLowerCase(Locale.ROOT);
    if (!GROUPS.contains(group)) {
      throw new InvalidRequestException("groupBy", "must be one of day, agent, host");
    }
    List<UsageGroup> groups = tx.execute(s -> repository.usage(tenantId,
            start.atStartOfDay().toInstant(ZoneOffset.UTC), end.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC),
            group)).stream()
        .map(r -> new UsageGroup(r.key(), r.connections(), r.denied(), r.bytesOut(), r.bytesIn())).toList();
    UsageGroup totals = new UsageGroup("total", groups.stream().mapToLong(UsageGroup::connections).sum(),
        groups.stream().mapToLong(UsageGroup::denied).sum(), groups.stream().mapToLong(UsageGroup::bytesOut).sum(),
        groups.stream().mapToLong(UsageGroup::bytesIn).sum());
    return new UsageView(start.toString(), end.toString(), group, groups, totals);
  }

  private TenantEgress view(TenantId tenantId) {
    EgressPolicy.Effective effective = policy.resolve(tenantId);
    List<EgressRule> override = DataScope.callAs(tenantId, () -> tx.execute(s ->
        repository.tenantOverride(tenantId).orElse(null)));
    return new TenantEgress(tenantId.toString(), Rule.of(effective.rules()),
        effective.source().name().toLowerCase(Locale.ROOT), effective.planId(), Rule.of(override));
  }

  private static JsonNode rulesOf(JsonNode body) {
    if (body == null || !body.isObject() || !body.has("rules")) {
      throw new InvalidRequestException("rules", "is required: {\"rules\": [{\"host\": \"api.example.com\", "
          + "\"ports\": [443]}]}");
    }
    for (String field : body.propertyNames()) {
      if (!field.equals("rules")) {
        throw new InvalidRequestException(field, "unknown field; the body has only rules");
      }
    }
    return body.get("rules");
  }

  private static LocalDate date(String name, String value, LocalDate fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(name, "must be a date as YYYY-MM-DD");
    }
  }
}
