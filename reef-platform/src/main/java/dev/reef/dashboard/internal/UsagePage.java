package dev.reef.dashboard.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.metering.MeterLimits.Money;
import dev.reef.metering.MeterSnapshot;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.UsageMeter;
import dev.reef.metering.UsageReports;
import dev.reef.metering.UsageReports.Grouping;
import dev.reef.tenancy.EffectiveLimits;
import dev.reef.tenancy.Limits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * A tenant's LLM usage: cost and tokens per day and per model as charts, this month against its caps (with a
 * warning from 80 %), and the same report as CSV. Numbers come from the ledger (the usage API's source); the caps
 * from the meter, which is what enforces them.
 */
@Controller
@RequestMapping("/t/{tenantId}")
class UsagePage {

  static final int WARN_PERCENT = 80;

  private final AccessGuard guard;
  private final Navigation navigation;
  private final UsageReports reports;
  private final UsageMeter meter;
  private final EffectiveLimits limits;
  private final Clock clock;

  private final dev.reef.gateway.LlmCatalog catalog;

  UsagePage(AccessGuard guard, Navigation navigation, UsageReports reports, UsageMeter meter,
      EffectiveLimits limits, dev.reef.gateway.LlmCatalog catalog, Clock clock) {
    this.catalog = catalog;
    this.guard = guard;
    this.navigation = navigation;
    this.reports = reports;
    this.meter = meter;
    this.limits = limits;
    this.clock = clock;
  }

  /** A line of the per-model table. */
  public record ModelLine(String model, long requests, String inputTokens, String outputTokens, String cost) {}

  /**
   * A cap: {@code percent} used (null when unlimited), {@code tone} {@code ok}, {@code warn} (at least 80 %) or
   * {@code over} (reached).
   */
  public record Cap(String name, String used, String limit, Integer percent, String tone) {}

  @GetMapping("/usage")
  String usage(@PathVariable TenantId tenantId, @RequestParam(required = false) String month, Model model) {
    guard.require(tenantId, TenantPermission.USAGE_READ);
    Navigation.Current page = navigation.tenantPage(model, tenantId, "usage");
    YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
    YearMonth shown = month(month, current);
    LocalDate from = shown.atDay(1);
    LocalDate to = shown.atEndOfMonth();
    UsageReports.Report byDay = reports.report(tenantId, from, to, Grouping.DAY);
    UsageReports.Report byModel = reports.report(tenantId, from, to, Grouping.MODEL);
    Map<String, UsageReports.Line> days = new HashMap<>();
    byDay.lines().forEach(l -> days.put(l.key().length() >= 10 ? l.key().substring(0, 10) : l.key(), l));
    List<UsageCharts.Point> cost = new ArrayList<>();
    List<UsageCharts.Point> tokens = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      UsageReports.Line line = days.get(d.toString());
      String label = Integer.toString(d.getDayOfMonth());
      cost.add(new UsageCharts.Point(label, line == null ? BigDecimal.ZERO : line.costUsd()));
      tokens.add(new UsageCharts.Point(label, BigDecimal.valueOf(line == null ? 0
          : line.inputTokens() + line.outputTokens())));
    }
    model.addAttribute("month", shown.toString());
    model.addAttribute("previousMonth", shown.minusMonths(1).toString());
    model.addAttribute("nextMonth", shown.isBefore(current) ? shown.plusMonths(1).toString() : null);
    model.addAttribute("isCurrentMonth", shown.equals(current));
    model.addAttribute("totals", byDay.totals());
    model.addAttribute("totalCost", UsageCharts.Unit.USD.format(byDay.totals().costUsd()));
    // Calls on the tenant's own provider keys are paid to the provider by the tenant: say how much of the cost that
    // is, and whether the budget counts it, so "budget $0.01 of $25" next to "cost $0.05" adds up
    BigDecimal byok = byDay.totals().byokCostUsd();
    model.addAttribute("byokSplit", byok.signum() == 0 ? null : UsageCharts.Unit.USD.format(
        byDay.totals().costUsd().subtract(byok)) + " on the platform's provider keys, "
        + UsageCharts.Unit.USD.format(byok) + " on your own provider keys (paid to your provider directly)"
        + (catalog.byokCountsAgainstBudget(page.plan()) ? "; both count against your budget."
            : "; only the first counts against your budget."));
    model.addAttribute("totalTokens", UsageCharts.compact(byDay.totals().inputTokens()
        + byDay.totals().outputTokens()));
    model.addAttribute("costChart", UsageCharts.columns("Cost per day (USD)", cost, UsageCharts.Unit.USD));
    model.addAttribute("tokenChart", UsageCharts.columns("Tokens per day", tokens, UsageCharts.Unit.TOKENS));
    model.addAttribute("modelChart", UsageCharts.columns("Cost per model (USD)", byModel.lines().stream()
        .map(l -> new UsageCharts.Point(l.key(), l.costUsd())).toList(), UsageCharts.Unit.USD));
    model.addAttribute("models", byModel.lines().stream().map(l -> new ModelLine(l.key(), l.requests(),
        UsageCharts.compact(l.inputTokens()), UsageCharts.compact(l.outputTokens()),
        UsageCharts.Unit.USD.format(l.costUsd()))).toList());
    caps(tenantId, model);
    return "usage";
  }

  /** The usage report as CSV, with the session's login (the API's CSV needs an API key). */
  @GetMapping("/usage.csv")
  ResponseEntity<String> csv(@PathVariable TenantId tenantId, @RequestParam(required = false) String month,
      @RequestParam(defaultValue = "day") String groupBy) {
    guard.require(tenantId, TenantPermission.USAGE_READ);
    YearMonth shown = month(month, YearMonth.now(clock.withZone(ZoneOffset.UTC)));
    Grouping grouping = switch (groupBy) {
      case "model" -> Grouping.MODEL;
      case "agent" -> Grouping.AGENT;
      default -> Grouping.DAY;
    };
    String filename = "usage-" + shown + "-" + grouping.name().toLowerCase() + ".csv";
    return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv"))
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename).build().toString())
        .body(reports.csv(tenantId, shown.atDay(1), shown.atEndOfMonth(), grouping));
  }

  private void caps(TenantId tenantId, Model model) {
    Limits l = limits.of(tenantId);
    MeterSnapshot s;
    try {
      s = meter.snapshot(tenantId);
    } catch (MeterUnavailableException e) {
      model.addAttribute("meterDown", true);
      model.addAttribute("caps", List.of());
      model.addAttribute("rates", List.of());
      return;
    }
    List<Cap> monthly = List.of(
        cap("Monthly budget", Money.toUsd(s.spentMicros() + s.reservedMicros()), l.monthlyBudgetUsd(),
            UsageCharts.Unit.USD),
        cap("Monthly tokens", BigDecimal.valueOf(s.tokens() + s.reservedTokens()), decimal(l.monthlyTokens()),
            UsageCharts.Unit.TOKENS));
    List<Cap> rates = List.of(
        cap("Requests this minute", BigDecimal.valueOf(s.requestsThisMinute()), decimal(l.requestsPerMinute()),
            UsageCharts.Unit.TOKENS),
        cap("Tokens this minute", BigDecimal.valueOf(s.tokensThisMinute()), decimal(l.tokensPerMinute()),
            UsageCharts.Unit.TOKENS),
        cap("Requests in flight", BigDecimal.valueOf(s.inFlight()), decimal(l.maxConcurrentRequests()),
            UsageCharts.Unit.TOKENS));
    model.addAttribute("caps", monthly);
    model.addAttribute("rates", rates);
    model.addAttribute("nearLimit", monthly.stream().filter(c -> !"ok".equals(c.tone())).toList());
  }

  static Cap cap(String name, BigDecimal used, BigDecimal limit, UsageCharts.Unit unit) {
    if (limit == null) {
      return new Cap(name, unit.format(used), "unlimited", null, "ok");
    }
    int percent = limit.signum() == 0 ? (used.signum() > 0 ? 100 : 0)
        : used.multiply(BigDecimal.valueOf(100)).divide(limit, 0, RoundingMode.FLOOR).intValue();
    boolean reached = limit.signum() == 0 || used.compareTo(limit) >= 0;
    String tone = reached ? "over" : percent >= WARN_PERCENT ? "warn" : "ok";
    return new Cap(name, unit.format(used), unit.format(limit), percent, tone);
  }

  private static BigDecimal decimal(Long value) {
    return value == null ? null : BigDecimal.valueOf(value);
  }

  private static YearMonth month(String text, YearMonth fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      YearMonth parsed = YearMonth.parse(text.trim());
      return parsed.isAfter(fallback) ? fallback : parsed;
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
