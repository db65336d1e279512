package dev.reef.dashboard.internal;

import dev.reef.common.TenantStatus;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.tenancy.Tenant;
import dev.reef.tenancy.TenantAdministration;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.stereotype.Component;

/**
 * What the operator's health page shows: every health contributor actuator knows (database, meter, compute
 * driver, disk space...) with its details, which {@code /actuator/health} hides from anonymous callers; agents
 * running across tenants; and this JVM's memory and uptime.
 */
@Component
final class SystemHealth {

  private static final int TENANT_BATCH = 500;

  private final HealthContributorRegistry registry;
  private final TenantAdministration tenants;
  private final Agents agents;
  private final String driver;

  private final dev.reef.gateway.ProviderActivity providerActivity;

  SystemHealth(HealthContributorRegistry registry, TenantAdministration tenants, Agents agents,
      dev.reef.gateway.ProviderActivity providerActivity, @Value("${reef.compute.driver:process}") String driver) {
    this.providerActivity = providerActivity;
    this.registry = registry;
    this.tenants = tenants;
    this.agents = agents;
    this.driver = driver;
  }

  public record Component(String name, String status, String details) {
    public boolean up() {
      return "UP".equals(status);
    }
  }

  public record Snapshot(String overall, List<Component> components, long tenants, long suspended, long agents,
      long running, String driver, String heapUsed, String heapMax, int heapPercent, String uptime,
      int processors, String java, java.util.SortedMap<String, Long> agentsByState) {}

  /**
   * A provider's last hour through this replica: calls, the failed share, p50/p99, and calls per minute as a chart.
   */
  public record ProviderLine(String provider, long calls, String errorShare, boolean failing, String p50, String p99,
      String circuit, UsageCharts.Chart chart) {}

  List<ProviderLine> providers() {
    return providerActivity.lastHour().stream().map(p -> {
      List<UsageCharts.Point> points = new ArrayList<>();
      for (int i = 0; i < p.callsPerMinute().size(); i++) {
        int ago = p.callsPerMinute().size() - 1 - i;
        points.add(new UsageCharts.Point(ago % 15 == 0 ? (ago == 0 ? "now" : "-" + ago + "m") : "",
            java.math.BigDecimal.valueOf(p.callsPerMinute().get(i))));
      }
      return new ProviderLine(p.provider(), p.calls(), String.format(java.util.Locale.ROOT, "%.1f %%",
          p.errorShare() * 100), p.errorShare() >= 0.05, p.p50Millis() + " ms", p.p99Millis() + " ms", p.circuit(),
          UsageCharts.columns(p.provider() + ": calls per minute, last hour", points, UsageCharts.Unit.TOKENS));
    }).toList();
  }

  Snapshot now() {
    List<Component> components = new ArrayList<>();
    registry.stream().forEach(e -> collect(e.name(), e.contributor(), components));
    // DOWN when something is down; WARNING for a status of its own (agents not sandboxed, say) that is not an outage
    String overall = components.stream().anyMatch(c -> "DOWN".equals(c.status())
        || "OUT_OF_SERVICE".equals(c.status())) ? "DOWN"
        : components.stream().allMatch(c -> c.up() || "UNKNOWN".equals(c.status())) ? "UP" : "WARNING";
    long tenantCount = 0;
    long suspended = 0;
    long agentCount = 0;
    long running = 0;
    java.util.SortedMap<String, Long> byState = new java.util.TreeMap<>();
    for (int offset = 0; ; offset += TENANT_BATCH) {
      List<Tenant> batch = tenants.list(null, null, TENANT_BATCH, offset);
      for (Tenant t : batch) {
        tenantCount++;
        suspended += t.status() == TenantStatus.SUSPENDED ? 1 : 0;
        var list = agents.list(t.id());
        agentCount += list.size();
        running += list.stream().filter(a -> a.state() instanceof AgentState.Running).count();
        list.forEach(a -> byState.merge(a.state().name(), 1L, Long::sum));
      }
      if (batch.size() < TENANT_BATCH) {
        break;
      }
    }
    Runtime jvm = Runtime.getRuntime();
    long used = jvm.totalMemory() - jvm.freeMemory();
    long max = jvm.maxMemory();
    return new Snapshot(overall, components, tenantCount, suspended, agentCount, running, driver, size(used),
        size(max),
        (int) (used * 100 / Math.max(1, max)), uptime(Duration.ofMillis(ManagementFactory.getRuntimeMXBean()
            .getUptime())), jvm.availableProcessors(), Runtime.version().toString(), byState);
  }

  private static void collect(String name, HealthContributor contributor, List<Component> into) {
    switch (contributor) {
      case HealthIndicator indicator -> into.add(component(name, indicator));
      case CompositeHealthContributor composite ->
          composite.stream().forEach(e -> collect(name + "/" + e.name(), e.contributor(), into));
      default -> { }
    }
  }

  private static Component component(String name, HealthIndicator indicator) {
    Health health;
    try {
      health = indicator.health(true);
    } catch (RuntimeException e) {
      return new Component(name, "DOWN", e.getClass().getSimpleName());
    }
    Map<String, Object> details = health.getDetails();
    return new Component(name, health.getStatus().getCode(), details.entrySet().stream()
        .map(d -> d.getKey() + ": " + readable(d.getKey(), d.getValue())).collect(Collectors.joining(", ")));
  }

  /** Sizes in bytes (the disk's total, free and threshold) as a person reads them; the rest as it is. */
  static String readable(String key, Object value) {
    boolean bytes = key.equals("total") || key.equals("free") || key.equals("threshold");
    return bytes && value instanceof Number n ? size(n.longValue()) : String.valueOf(value);
  }

  static String size(long bytes) {
    long mb = bytes / (1024 * 1024);
    return mb >= 1024 ? String.format(java.util.Locale.ROOT, "%.1f GB", mb / 1024.0) : mb + " MB";
  }

  static String uptime(Duration d) {
    long hours = d.toHours();
    return hours >= 24 ? (hours / 24) + " d " + (hours % 24) + " h" : hours + " h " + d.toMinutesPart() + " min";
  }
}
