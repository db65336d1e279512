package dev.reef.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.TenantId;
import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.ReefIT;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The usage API reads what the ledger recorded, after the journal flusher moved it into the database (about a
 * second later: the tests wait for it, they do not sleep).
 */
@Tag("database-matrix")
class UsageApiIT extends ReefIT {

  @Autowired
  UsageLedger ledger;

  @Autowired
  UsageMeter meter;

  @Test
  void usage_groupedByDay_betweenInclusiveUtcDates() {
    SignedUp t = signUp("Usage Days");
    record(t, "agent-a", "gpt-x", "2026-03-09T23:59:59.999Z", 1, false);
    record(t, "agent-a", "gpt-x", "2026-03-10T00:00:00Z", 1_234_567, false);
    record(t, "agent-b", "claude-y", "2026-03-10T12:00:00Z", 500_000, true);
    record(t, null, "gpt-x", "2026-03-31T23:59:59Z", 10, false);
    record(t, null, "gpt-x", "2026-04-01T00:00:00Z", 1, false);
    awaitRecorded(t, "2026-03-09", "2026-04-01", 5);

    JsonNode report = get(t, "?from=2026-03-10&to=2026-03-31&groupBy=day").json();
    assertThat(report.get("from").asString()).isEqualTo("2026-03-10");
    assertThat(report.get("to").asString()).isEqualTo("2026-03-31");
    assertThat(report.get("groupBy").asString()).isEqualTo("day");
    JsonNode totals = report.get("totals");
    assertThat(totals.get("requests").asLong()).isEqualTo(3);
    assertThat(totals.get("inputTokens").asLong()).isEqualTo(300);
    assertThat(totals.get("outputTokens").asLong()).isEqualTo(60);
    assertThat(totals.get("costUsd").decimalValue()).isEqualByComparingTo("1.734577");
    assertThat(totals.get("byokCostUsd").decimalValue()).as("the part paid with the tenant's own key")
        .isEqualByComparingTo("0.500000");
    JsonNode groups = report.get("groups");
    assertThat(groups.findValuesAsString("key")).containsExactly("2026-03-10", "2026-03-31");
    assertThat(groups.get(0).get("requests").asLong()).isEqualTo(2);
    assertThat(groups.get(0).get("cachedInputTokens").asLong()).isEqualTo(60);
    assertThat(groups.get(0).get("costUsd").decimalValue()).isEqualByComparingTo("1.734567");
  }

  @Test
  void usage_groupedByModelAndByAgent() {
    SignedUp t = signUp("Usage Models");
    record(t, "agent-a", "gpt-x", "2026-05-02T10:00:00Z", 100, false);
    record(t, "agent-a", "claude-y", "2026-05-03T10:00:00Z", 200, false);
    record(t, null, "gpt-x", "2026-05-04T10:00:00Z", 300, false);
    awaitRecorded(t, "2026-05-01", "2026-05-31", 3);

    JsonNode byModel = get(t, "?from=2026-05-01&to=2026-05-31&groupBy=model").json().get("groups");
    assertThat(byModel.findValuesAsString("key")).containsExactly("claude-y", "gpt-x");
    assertThat(byModel.get(1).get("requests").asLong()).isEqualTo(2);
    assertThat(byModel.get(1).get("costUsd").decimalValue()).isEqualByComparingTo("0.0004");

    JsonNode byAgent = get(t, "?from=2026-05-01&to=2026-05-31&groupBy=agent").json().get("groups");
    assertThat(byAgent).hasSize(2);
    assertThat(byAgent.get(0).get("key").asString()).isEqualTo("agent-a");
    assertThat(byAgent.get(1).get("key").isNull()).as("calls made with a tenant API key").isTrue();
  }

  @Test
  void usage_defaultsToTheCurrentUtcMonth() {
    SignedUp t = signUp("Usage Default");
    YearMonth month = YearMonth.now(ZoneOffset.UTC);
    record(t, "a", "m", month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString(), 5, false);
    record(t, "a", "m", month.minusMonths(1).atEndOfMonth().atStartOfDay().toInstant(ZoneOffset.UTC).toString(), 7,
        false);
    awaitRecorded(t, month.minusMonths(1).atDay(1).toString(), month.atEndOfMonth().toString(), 2);

    JsonNode report = get(t, "").json();
    assertThat(report.get("from").asString()).isEqualTo(month.atDay(1).toString());
    assertThat(report.get("to").asString()).isEqualTo(month.atEndOfMonth().toString());
    assertThat(report.get("totals").get("requests").asLong()).isEqualTo(1);
  }

  @Test
  void usage_asCsv_withAHeaderRowAndAFilename() {
    SignedUp t = signUp("Usage Csv");
    record(t, "a", "gpt,x", "2026-06-01T10:00:00Z", 1_500_000, false);
    record(t, "a", "=cmd()", "2026-06-01T11:00:00Z", 1, false);
    awaitRecorded(t, "2026-06-01", "2026-06-30", 2);

    Response csv = api.send("GET", usage(t) + "?from=2026-06-01&to=2026-06-30&groupBy=model", t.apiKey(), null,
        Map.of("Accept", "text/csv"));
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.contentType()).startsWith("text/csv");
    assertThat(csv.headers().firstValue("content-disposition").orElse(""))
        .contains("attachment").contains("usage-2026-06-01-2026-06-30-model.csv");
    assertThat(csv.text().split("\r\n")).containsExactly(
        "key,requests,inputTokens,outputTokens,cachedInputTokens,costUsd",
        "'=cmd(),1,100,20,30,0.000001",
        "\"gpt,x\",1,100,20,30,1.500000");
  }

  @Test
  void usage_badParameters_are400NamingTheParameter() {
    SignedUp t = signUp("Usage Bad");
    assertBad(t, "?from=2026-13-01", "from");
    assertBad(t, "?to=yesterday", "to");
    assertBad(t, "?from=2026-03-10&to=2026-03-09", "from");
    assertBad(t, "?from=2025-01-01&to=2026-01-02", "to");
    assertBad(t, "?groupBy=week", "groupBy");
    assertThat(get(t, "?from=2025-01-01&to=2026-01-01").status()).as("366 days").isEqualTo(200);
  }

  @Test
  void usage_needsReadAccess() {
    SignedUp t = signUp("Usage Access");
    String reader = api.post("/api/v1/tenants/" + t.tenantId() + "/api-keys", t.apiKey(),
        Api.body("name", "reader", "scopes", List.of("read"))).at("/key");
    String llmOnly = api.post("/api/v1/tenants/" + t.tenantId() + "/api-keys", t.apiKey(),
        Api.body("name", "llm", "scopes", List.of("llm"))).at("/key");
    assertThat(api.get(usage(t), reader).status()).isEqualTo(200);
    assertThat(api.get(usage(t), llmOnly).status()).isEqualTo(403);
    assertThat(api.get(usage(t), null).status()).isEqualTo(401);
  }

  @Test
  void usagePage_splitsWhatWasPaidOnTheTenantsOwnKeys_andSaysWhetherTheBudgetCountsIt() {
    SignedUp t = signUp("Usage Byok Split");
    Instant now = Instant.now();
    record(t, "a", "m", now.toString(), 2_000_000, false);
    record(t, "a", "m", now.toString(), 9_000_000, true);
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    awaitRecorded(t, today.toString(), today.toString(), 2);
    dev.reef.testing.DashboardClient browser = new dev.reef.testing.DashboardClient(api.base());
    assertThat(browser.login(t.email(), t.password()).statusCode()).isEqualTo(302);
    String page = browser.get("/t/" + t.tenantId() + "/usage").body();
    assertThat(page).contains("on the platform&#39;s provider keys").contains("on your own provider keys")
        .contains("only the first counts against your budget");
  }

  @Test
  void meter_seedsTheMonthFromTheLedger_asAfterARestart() {
    SignedUp t = signUp("Usage Seed");
    Instant now = Instant.now();
    record(t, "a", "m", now.toString(), 2_000_000, false);
    record(t, "a", "m", now.toString(), 9_000_000, true); // paid with the tenant's own key: not against the budget
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    awaitRecorded(t, today.toString(), today.toString(), 2);

    MeterSnapshot snapshot = meter.snapshot(TenantId.parse(t.tenantId()));
    assertThat(snapshot.spentMicros()).isEqualTo(2_000_000);
    assertThat(snapshot.tokens()).isEqualTo(240);
  }

  private void record(SignedUp t, String agent, String model, String startedAt, long costMicros, boolean byok) {
    Instant at = Instant.parse(startedAt);
    ledger.record(new UsageRecord(UUID.randomUUID(), TenantId.parse(t.tenantId()), agent, null, "chat.completions",
        model, "openai", 100, 20, 30, costMicros, 850, "ok", 200, byok, true, at, at.plusMillis(850)));
  }

  private void awaitRecorded(SignedUp t, String from, String to, long requests) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
        get(t, "?from=" + from + "&to=" + to).json().at("/totals/requests").asLong() == requests);
  }

  private void assertBad(SignedUp t, String query, String field) {
    Response bad = get(t, query);
    assertThat(bad.status()).as(query).isEqualTo(400);
    assertThat(bad.contentType()).startsWith("application/problem+json");
    assertThat(bad.at("/errors/0/field")).as(query).isEqualTo(field);
  }

  private Response get(SignedUp t, String query) {
    return api.get(usage(t) + query, t.apiKey());
  }

  private static String usage(SignedUp t) {
    return "/api/v1/tenants/" + t.tenantId() + "/usage";
  }
}
