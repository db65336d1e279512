package dev.reef.metering.internal;

import dev.reef.access.AccessGuard;
import dev.reef.access.TenantPermission;
import dev.reef.common.TenantId;
import dev.reef.metering.MeterLimits.Money;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's LLM usage from the ledger's database table. Records reach the table from each replica's journal about
 * a second after the call, so the last second may be missing from a report (docs/metering.md).
 */
@RestController
@Tag(name = "Usage")
class UsageController {

  static final MediaType CSV = MediaType.parseMediaType("text/csv");

  private final AccessGuard guard;
  private final UsageRecordRepository records;
  private final Clock clock;

  UsageController(AccessGuard guard, UsageRecordRepository records, Clock clock) {
    this.guard = guard;
    this.records = records;
    this.clock = clock;
  }

  /** {@code byokCostUsd}: the part of the cost paid through the tenant's own provider keys. */
  record Totals(long requests, long inputTokens, long outputTokens, BigDecimal costUsd, BigDecimal byokCostUsd) {}

  record Group(String key, long requests, long inputTokens, long outputTokens, long cachedInputTokens,
      BigDecimal costUsd) {}

  record UsageReport(LocalDate from, LocalDate to, String groupBy, Totals totals, List<Group> groups) {}

  @GetMapping(path = "/api/v1/tenants/{tenantId}/usage", produces = {"application/json", "text/csv"})
  @Operation(summary = "The tenant's usage between two UTC dates (inclusive; default: this month), grouped by day, "
      + "model or agent; as JSON, or as CSV with Accept: text/csv")
  ResponseEntity<?> usage(@PathVariable TenantId tenantId,
      @Parameter(description = "first day, YYYY-MM-DD") @RequestParam(required = false) String from,
      @Parameter(description = "last day, YYYY-MM-DD") @RequestParam(required = false) String to,
      @Parameter(description = "day (default), model or agent") @RequestParam(required = false) String groupBy,
      @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
    guard.require(tenantId, TenantPermission.USAGE_READ);
    UsageQuery query = UsageQuery.parse(from, to, groupBy, clock.instant());
    UsageReport report = report(records.groups(tenantId, query.start(), query.end(), query.groupBy()), query);
    if (!wantsCsv(accept)) {
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(report);
    }
    String filename = "usage-" + query.from() + "-" + query.to() + "-" + query.groupByName() + ".csv";
    return ResponseEntity.ok().contentType(CSV)
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename).build().toString())
        .body(UsageCsv.write(report.groups()));
  }

  static UsageReport report(List<UsageRecordRepository.GroupRow> rows, UsageQuery query) {
    long requests = 0;
    long input = 0;
    long output = 0;
    long micros = 0;
    long byok = 0;
    for (UsageRecordRepository.GroupRow row : rows) {
      requests += row.requests();
      input += row.inputTokens();
      output += row.outputTokens();
      micros += row.costMicros();
      byok += row.byokCostMicros();
    }
    List<Group> groups = rows.stream().map(r -> new Group(r.key(), r.requests(), r.inputTokens(), r.outputTokens(),
        r.cachedInputTokens(), Money.toUsd(r.costMicros()))).toList();
    return new UsageReport(query.from(), query.to(), query.groupByName(),
        new Totals(requests, input, output, Money.toUsd(micros), Money.toUsd(byok)), groups);
  }

  /** CSV only when the client prefers it to JSON; anything else (including no Accept) gets JSON. */
  static boolean wantsCsv(String accept) {
    if (accept == null || accept.isBlank()) {
      return false;
    }
    List<MediaType> types = new java.util.ArrayList<>(MediaType.parseMediaTypes(accept));
    types.sort(java.util.Comparator.comparingDouble(MediaType::getQualityValue).reversed()); // stable: ties keep order
    for (MediaType type : types) {
      if (type.isCompatibleWith(CSV) && !type.isWildcardType()) {
        return true;
      }
      if (type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
        return false;
      }
    }
    return false;
  }
}
