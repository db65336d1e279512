package dev.reef.gateway.internal.proxy;

import dev.reef.access.ApiKeyScope;
import dev.reef.access.BearerCredentials;
import dev.reef.access.Caller;
import dev.reef.common.TenantId;
import dev.reef.common.TenantStatus;
import dev.reef.gateway.ProviderType;
import dev.reef.gateway.internal.catalog.Catalog;
import dev.reef.gateway.internal.catalog.Model;
import dev.reef.gateway.internal.catalog.PlanAccess;
import dev.reef.gateway.internal.catalog.Provider;
import dev.reef.gateway.internal.upstream.FairGate;
import dev.reef.gateway.internal.upstream.GatewayProperties;
import dev.reef.gateway.internal.upstream.ProviderGates;
import dev.reef.gateway.internal.upstream.ProviderHealth;
import dev.reef.gateway.internal.upstream.UpstreamClient;
import dev.reef.metering.Estimate;
import dev.reef.metering.LimitExceededException;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.Reservation;
import dev.reef.metering.SettlementFence;
import dev.reef.metering.Usage;
import dev.reef.metering.UsageLedger;
import dev.reef.metering.UsageMeter;
import dev.reef.metering.UsageRecord;
import dev.reef.platform.DatabaseOutage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One LLM call through Reef: authenticate, check the model against the tenant's plan, reserve the worst case
 * against every cap, forward to the first healthy provider of the model's fallback chain (sharing each provider's
 * capacity fairly), relay the answer - streamed chunk by chunk - while reading the exact usage, then settle the
 * reservation and write the ledger record before the client sees the end of the response.
 *
 * <p>Retries and fallbacks happen only before the first byte has gone to the client. A client that hangs up
 * mid-stream is charged for what was produced, and the upstream call is cancelled.
 */
@Component
public final class GatewayProxy {

  private static final Logger log = LoggerFactory.getLogger(GatewayProxy.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final long MAX_RESPONSE_BODY = 64L * 1024 * 1024;
  private static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

  private final BearerCredentials credentials;
  private final TenantProfiles profiles;
  private final Catalog catalog;
  private final UsageMeter meter;
  private final UsageLedger ledger;
  private final SettlementFence fence;
  private final UpstreamClient upstream;
  private final ProviderHealth health;
  private final ProviderGates gates;
  private final GatewayProperties properties;
  private final JsonMapper json;
  private final Clock clock;
  private final ActivityTracker activity;
  private final ProviderStats providerStats;
  private final MeterRegistry metrics;
  private final java.util.concurrent.ConcurrentHashMap<CallSeries, Timer> timers =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<CallSeries, io.micrometer.core.instrument.Counter[]> tokens =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * One series of the proxy's metrics: its tags. Providers and models come from the operator's catalog, so the
   * number of series stays bounded; tenants are not a tag (thousands of them would be thousands of series).
   */
  private record CallSeries(String endpoint, String status, String provider, String model) {}
  private final java.util.concurrent.ConcurrentHashMap<String, URI> uris = new java.util.concurrent.ConcurrentHashMap<>();

  private final dev.reef.gateway.internal.telemetry.GenAiTelemetry telemetry;

  GatewayProxy(BearerCredentials credentials, TenantProfiles profiles, Catalog catalog, UsageMeter meter,
      UsageLedger ledger, SettlementFence fence, UpstreamClient upstream, ProviderHealth health, ProviderGates gates,
      GatewayProperties properties, JsonMapper json, Clock clock, ActivityTracker activity, MeterRegistry metrics,
      ProviderStats providerStats, dev.reef.gateway.internal.telemetry.GenAiTelemetry telemetry) {
    this.providerStats = providerStats;
    this.telemetry = telemetry;
    this.credentials = credentials;
    this.profiles = profiles;
    this.catalog = catalog;
    this.meter = meter;
    this.ledger = ledger;
    this.fence = fence;
    this.upstream = upstream;
    this.health = health;
    this.gates = gates;
    this.properties = properties;
    this.json = json;
    this.clock = clock;
    this.activity = activity;
    this.metrics = metrics;
  }

  /** One candidate upstream for a call: a model of the chain, its provider, and the key to use. */
  record Route(Model model, Provider provider, String path, String apiKey, boolean byok) {
    String keyFingerprint() {
      return byok ? "byok:" + Integer.toHexString(apiKey.hashCode()) : "platform";
    }
  }

  /** Who is calling: a tenant API key ({@code apiKeyId}) or an agent ({@code agentId}). */
  record LlmCaller(TenantId tenantId, UUID agentId, UUID apiKeyId) {}

  /**
   * An admitted call, before forwarding.
   *
   * @param requestedModel the model the client asked for (the body's model is rewritten per route)
   * @param injectsUsage whether Reef asks an OpenAI stream for its usage chunk, which the client did not ask for
   *     and so must not see
   */
  record Call(ApiFlavor flavor, LlmCaller caller, ObjectNode body, String requestedModel, boolean stream,
      boolean injectsUsage, List<Route> routes, long inputEstimate, Instant startedAt, long startNanos,
      long deadlineNanos, HttpServletRequest request) {}

  // ---------------------------------------------------------------------------------------------------------------
  // Entry points

  public void models(HttpServletRequest request, HttpServletResponse response) throws IOException {
    try {
      LlmCaller caller = authenticate(request, ApiFlavor.CHAT_COMPLETIONS);
      PlanAccess access = catalog.snapshot().access(profile(caller.tenantId()).planId());
      List<Map<String, Object>> data = new ArrayList<>();
      catalog.snapshot().models().values().stream()
          .filter(m -> access.allows(m.id()))
          .sorted(java.util.Comparator.comparing(Model::id))
          .forEach(m -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", m.id());
            entry.put("object", "model");
            entry.put("created", m.createdAt().getEpochSecond());
            entry.put("owned_by", m.provider());
            data.add(entry);
          });
      writeJson(response, 200, Map.of("object", "list", "data", data));
    } catch (GatewayException e) {
      writeError(ApiFlavor.CHAT_COMPLETIONS, response, e);
    }
  }

  public void handle(ApiFlavor flavor, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Call call;
    Reservation reservation;
    try {
      call = admit(flavor, request);
      reservation = reserve(call);
    } catch (GatewayException e) {
      writeError(flavor, response, e);
      return;
    } catch (RuntimeException e) {
      if (!DatabaseOutage.causedBy(e)) {
        throw e;
      }
      writeError(flavor, response, databaseUnavailable()); // a caller or tenant not seen before the outage
      return;
    }
    Settlement settlement = new Settlement(call, reservation);
    UUID agentId = call.caller().agentId();
    if (agentId != null) {
      activity.begin(agentId);
    }
    try {
      forward(call, settlement, response);
      if (agentId != null) {
        activity.succeeded(agentId);
      }
    } catch (GatewayException e) {
      settlement.finish(null, TokenCounts.ZERO, Outcome.ERROR, e.status());
      if (agentId != null) {
        activity.failed(agentId, e.status(), e.code(), e.getMessage(), e.byok());
      }
      writeError(flavor, response, e);
    } catch (RuntimeException | IOException e) {
      if (DatabaseOutage.causedBy(e)) { // a tenant's own provider keys, not read before the outage
        settlement.finish(null, TokenCounts.ZERO, Outcome.ERROR, 503);
        writeError(flavor, response, databaseUnavailable());
        return;
      }
      settlement.finish(null, TokenCounts.ZERO, Outcome.ERROR, 500);
      log.error("Proxy call failed unexpectedly", e);
      writeError(flavor, response, new GatewayException(500, "api_error", "internal_error",
          "Reef failed to complete the call."));
    } finally {
      settlement.finish(null, TokenCounts.ZERO, Outcome.ERROR, 500); // no-op if already finished
      if (agentId != null) {
        activity.end(agentId);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Admission: who, what, how much

  private Call admit(ApiFlavor flavor, HttpServletRequest request) throws IOException {
    Instant startedAt = clock.instant();
    long startNanos = System.nanoTime();
    LlmCaller caller = authenticate(request, flavor);
    TenantProfiles.Profile profile = profile(caller.tenantId());
    ObjectNode body = readBody(request);
    String modelId = body.path("model").asString("");
    if (modelId.isEmpty()) {
      throw GatewayException.invalid("missing_model", "The request needs a 'model'.");
    }
    Catalog.Snapshot snapshot = catalog.snapshot();
    PlanAccess access = snapshot.access(profile.planId());
    Model primary = snapshot.models().get(modelId);
    if (primary == null || !access.allows(modelId)) {
      throw new GatewayException(404, "invalid_request_error", "model_not_found",
          "The model '" + modelId + "' does not exist or your plan does not include it.");
    }
    List<Route> routes = routes(flavor, caller.tenantId(), primary, snapshot, access);
    boolean stream = flavor != ApiFlavor.EMBEDDINGS && body.path("stream").asBoolean(false);
    boolean injectsUsage = stream && flavor == ApiFlavor.CHAT_COMPLETIONS
        && !body.path("stream_options").path("include_usage").asBoolean(false);
    long inputEstimate = Math.max(1, request.getContentLengthLong() > 0
        ? request.getContentLengthLong() / 4 : body.toString().length() / 4L);
    return new Call(flavor, caller, body, modelId, stream, injectsUsage, routes, inputEstimate, startedAt,
        startNanos, startNanos + properties.totalTimeout().toNanos(), request);
  }

  private LlmCaller authenticate(HttpServletRequest request, ApiFlavor flavor) {
    String secret = bearer(request);
    if (secret == null && flavor == ApiFlavor.MESSAGES) {
      secret = request.getHeader("x-api-key");
    }
    if (secret == null || secret.isBlank()) {
      throw GatewayException.unauthorized("Send your Reef API key as 'Authorization: Bearer <key>'"
          + (flavor == ApiFlavor.MESSAGES ? " or 'x-api-key: <key>'." : "."));
    }
    Optional<Caller> caller = credentials.resolve(secret.trim(), request.getRemoteAddr());
    return switch (caller.orElse(null)) {
      case Caller.TenantKey key when !key.scopes().contains(ApiKeyScope.LLM) ->
          throw new GatewayException(403, "permission_error", "insufficient_scope",
              "This API key lacks the 'llm' scope needed to call models.");
      case Caller.TenantKey key -> new LlmCaller(key.tenantId(), null, key.keyId());
      case Caller.Agent agent -> new LlmCaller(agent.tenantId(), agent.agentId(), null);
      case null, default -> throw GatewayException.unauthorized("The API key is unknown or has been revoked.");
    };
  }

  private TenantProfiles.Profile profile(TenantId tenantId) {
    TenantProfiles.Profile profile = profiles.get(tenantId)
        .orElseThrow(() -> GatewayException.unauthorized("The API key is unknown or has been revoked."));
    if (profile.status() == TenantStatus.SUSPENDED) {
      throw new GatewayException(403, "permission_error", "tenant_suspended",
          "Your tenant is suspended; contact your platform operator.");
    }
    return profile;
  }

  private ObjectNode readBody(HttpServletRequest request) throws IOException {
    long max = properties.maxBodyBytes();
    if (request.getContentLengthLong() > max) {
      throw tooLarge(max);
    }
    long declared = request.getContentLengthLong();
    byte[] bytes = declared >= 0 ? request.getInputStream().readNBytes((int) declared)
        : request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (bytes.length > max) {
      throw tooLarge(max);
    }
    try {
      JsonNode node = json.readTree(bytes);
      if (node instanceof ObjectNode object) {
        return object;
      }
    } catch (JacksonException e) {
      throw GatewayException.invalid("invalid_json", "The request body is not valid JSON: " + e.getOriginalMessage());
    }
    throw GatewayException.invalid("invalid_json", "The request body must be a JSON object.");
  }

  private static GatewayException tooLarge(long max) {
    return new GatewayException(413, "invalid_request_error", "request_too_large",
        "The request body is larger than " + max + " bytes (REEF_GATEWAY_MAX_BODY_BYTES).");
  }

  /** The model and its fallbacks, in order, that this plan allows and whose provider serves this API. */
  private List<Route> routes(ApiFlavor flavor, TenantId tenantId, Model primary, Catalog.Snapshot snapshot,
      PlanAccess access) {
    List<Route> routes = new ArrayList<>();
    List<Model> chain = new ArrayList<>();
    chain.add(primary);
    primary.fallbacks().stream().map(snapshot.models()::get)
        .filter(m -> m != null && access.allows(m.id())).forEach(chain::add);
    for (Model model : chain) {
      Provider provider = snapshot.providers().get(model.provider());
      if (provider == null) {
        continue;
      }
      String path = flavor.upstreamPath(provider.type());
      if (path == null) {
        continue;
      }
      Optional<String> own = catalog.byokKey(tenantId, provider.name());
      routes.add(new Route(model, provider, path, own.orElse(snapshot.providerKeys().get(provider.name())),
          own.isPresent()));
    }
    if (routes.isEmpty()) {
      throw GatewayException.invalid("unsupported_api", "The model '" + primary.id() + "' is served by a provider "
          + "that does not speak this API; use " + (flavor == ApiFlavor.MESSAGES ? "/v1/chat/completions"
          : "the endpoint of its provider's API") + ".");
    }
    return routes;
  }

  /** Far above any model's output (a few hundred thousand tokens), far below where a cost could overflow. */
  static final long MAX_OUTPUT_TOKENS = 10_000_000;

  private Reservation reserve(Call call) {
    long maxOutput = maxOutputTokens(call.flavor(), call.body());
    long worstCost = 0;
    boolean allByok = true;
    for (Route route : call.routes()) {
      worstCost = Math.max(worstCost, route.model().costMicros(call.inputEstimate(), 0, maxOutput));
      allByok &= route.byok();
    }
    TenantProfiles.Profile profile = profile(call.caller().tenantId());
    boolean counts = !allByok || catalog.snapshot().access(profile.planId()).byokCountsAgainstBudget();
    try {
      return meter.reserve(call.caller().tenantId(), profile.limits(),
          new Estimate(call.inputEstimate() + maxOutput, worstCost, counts));
    } catch (LimitExceededException e) {
      long seconds = Math.max(1, e.retryAfter().toSeconds());
      throw new GatewayException(429, e.kind() == LimitExceededException.Kind.MONTHLY_BUDGET
          ? "insufficient_quota" : "rate_limit_error", e.kind().code(),
          "Your tenant's " + e.kind().limitName() + " limit is reached: " + e.getMessage(), Duration.ofSeconds(seconds));
    } catch (MeterUnavailableException e) {
      throw new GatewayException(503, "api_error", "meter_unavailable",
          "Reef cannot verify your usage right now; try again shortly.", Duration.ofSeconds(5));
    }
  }

  /**
   * The most output tokens the call may produce, as the request says (checked: a whole number from 1 to
   * {@link #MAX_OUTPUT_TOKENS}, else 400 naming the field), or Reef's default reservation.
   */
  private long maxOutputTokens(ApiFlavor flavor, ObjectNode body) {
    String field = switch (flavor) {
      case CHAT_COMPLETIONS -> body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
      case RESPONSES -> "max_output_tokens";
      case MESSAGES -> "max_tokens";
      case EMBEDDINGS -> null;
    };
    if (field == null) {
      return 0;
    }
    if (flavor == ApiFlavor.CHAT_COMPLETIONS && body.hasNonNull("max_completion_tokens")) {
      checkTokens(body, "max_tokens"); // both may be sent; both are read by some provider
    }
    long value = checkTokens(body, field);
    return value > 0 ? value : properties.defaultMaxTokens();
  }

  /** A token count the request gives: 0 when absent; 400 when not a whole number from 1 to the maximum. */
  private static long checkTokens(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return 0;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1
        || value.asLong() > MAX_OUTPUT_TOKENS) {
      throw GatewayException.invalid("invalid_value", "'" + field + "' must be a whole number from 1 to "
          + MAX_OUTPUT_TOKENS + ".");
    }
    return value.asLong();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Forwarding: fallbacks, breakers, fair capacity, retries before the first byte

  private void forward(Call call, Settlement settlement, HttpServletResponse response) throws IOException {
    GatewayException last = null;
    for (Route route : call.routes()) {
      CircuitBreaker breaker = health.of(route.provider().name());
      if (!breaker.tryAcquirePermission()) {
        last = new GatewayException(503, "api_error", "upstream_unavailable", "The provider of '"
            + route.model().id() + "' is failing; Reef is giving it a rest.", Duration.ofSeconds(30));
        continue;
      }
      FairGate gate = gates.gate(route.provider().name(), route.keyFingerprint(), route.provider().maxConcurrency());
      FairGate.Slot slot;
      try {
        slot = gate.acquire(call.caller().tenantId(), properties.queueTimeout());
      } catch (TimeoutException e) {
        breaker.releasePermission();
        last = new GatewayException(503, "api_error", "upstream_busy", "The provider of '" + route.model().id()
            + "' is at capacity; try again shortly.", Duration.ofSeconds(1));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        breaker.releasePermission();
        throw new GatewayException(503, "api_error", "interrupted", "Reef is shutting down.");
      }
      try (slot) {
        Attempt attempt = tryRoute(call, route, breaker, settlement, response);
        if (attempt.done()) {
          return;
        }
        last = attempt.error();
      }
    }
    throw last != null ? last : new GatewayException(502, "api_error", "upstream_error", "No provider could serve the call.");
  }

  private static GatewayException databaseUnavailable() {
    return new GatewayException(503, "api_error", "database_unavailable", "Reef's database cannot be reached, and "
        + "this key or tenant was not known before it went away; try again in a few seconds.",
        Duration.ofSeconds(DatabaseOutage.RETRY_AFTER_SECONDS));
  }

  private GatewayException pastDeadline() {
    return new GatewayException(504, "api_error", "upstream_timeout", "The call took longer than Reef's total "
        + "timeout (" + properties.totalTimeout().toSeconds() + " s) before the provider answered.");
  }

  /** The outcome of trying one route: either the call is done (answered), or it failed before any byte was sent. */
  record Attempt(boolean done, GatewayException error) {}

  private Attempt tryRoute(Call call, Route route, CircuitBreaker breaker, Settlement settlement,
      HttpServletResponse response) throws IOException {
    // The body is rewritten in place (no copy per call): each route sets its own model, and asking for usage on
    // a stream is the same for every route.
    ObjectNode body = call.body();
    body.put("model", route.model().upstreamModel());
    boolean injectedUsage = call.injectsUsage();
    if (injectedUsage) {
      ObjectNode options = body.path("stream_options") instanceof ObjectNode o ? o : body.putObject("stream_options");
      options.put("include_usage", true);
    }
    byte[] bytes = json.writeValueAsBytes(body);
    URI uri = upstreamUri(route.provider().baseUrl() + route.path());
    Map<String, String> headers = upstreamHeaders(call, route);
    GatewayException last = null;
    for (int attempt = 0; attempt <= properties.retries(); attempt++) {
      if (attempt > 0) {
        sleep(Duration.ofMillis(200L * attempt));
        if (!breaker.tryAcquirePermission()) {
          break;
        }
      }
      long t0 = System.nanoTime();
      UpstreamClient.Response up;
      if (t0 - call.deadlineNanos() > 0) {
        last = pastDeadline();
        break;
      }
      try {
        up = upstream.post(uri, headers, bytes, call.deadlineNanos());
      } catch (HttpTimeoutException e) {
        breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, e);
        // Not retried: a provider that hung once would most likely hold the client as long again.
        return new Attempt(false, System.nanoTime() - call.deadlineNanos() >= 0 ? pastDeadline()
            : new GatewayException(504, "api_error", "upstream_timeout",
                "The provider of '" + route.model().id() + "' did not answer in time."));
      } catch (IOException e) {
        breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, e);
        last = new GatewayException(502, "api_error", "upstream_unreachable",
            "Reef could not reach the provider of '" + route.model().id() + "'.");
        continue;
      }
      long elapsed = System.nanoTime() - t0;
      int status = up.status();
      if (status >= 200 && status < 300) {
        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
        if (call.stream()) {
          relayStream(call, route, up, injectedUsage, settlement, response);
        } else {
          relayWhole(call, route, up, settlement, response);
        }
        return new Attempt(true, null);
      }
      byte[] errorBody = readAtMost(up.body(), MAX_ERROR_BODY);
      if (status >= 500) {
        breaker.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + status));
      } else {
        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
      }
      if (status == 429 || status >= 500) {
        last = upstreamFailure(route, status, up.header("retry-after"));
        continue;
      }
      if (status == 401 || status == 403) {
        last = new GatewayException(502, "api_error", "upstream_auth_failed", route.byok()
            ? "The provider '" + route.provider().name() + "' rejected your own API key (BYOK); update it."
            : "The provider '" + route.provider().name() + "' rejected the platform's key; tell your operator.");
        break;
      }
      // Any other client error is about the request itself: the provider's own error body says what is wrong,
      // less any echo of the key Reef sent.
      settlement.finish(route, TokenCounts.ZERO, Outcome.ERROR, status);
      response.setStatus(status);
      response.setContentType(Optional.ofNullable(up.header("content-type")).orElse("application/json"));
      response.getOutputStream().write(CredentialScrubber.of(route.apiKey()).scrub(errorBody));
      return new Attempt(true, null);
    }
    return new Attempt(false, last);
  }

  private Map<String, String> upstreamHeaders(Call call, Route route) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", call.stream() ? "text/event-stream" : "application/json");
    if (route.provider().type() == ProviderType.ANTHROPIC && call.flavor() == ApiFlavor.MESSAGES) {
      if (route.apiKey() != null) {
        headers.put("x-api-key", route.apiKey());
      }
      String version = call.request().getHeader("anthropic-version");
      headers.put("anthropic-version", version == null || version.isBlank() ? DEFAULT_ANTHROPIC_VERSION : version);
      String beta = call.request().getHeader("anthropic-beta");
      if (beta != null && !beta.isBlank()) {
        headers.put("anthropic-beta", beta);
      }
    } else if (route.apiKey() != null) {
      headers.put("Authorization", "Bearer " + route.apiKey());
    }
    return headers;
  }

  private static GatewayException upstreamFailure(Route route, int status, String retryAfter) {
    if (status == 429) {
      Duration wait = Duration.ofSeconds(parseSeconds(retryAfter).orElse(5L));
      return new GatewayException(429, "rate_limit_error", "upstream_rate_limited",
          "The provider of '" + route.model().id() + "' is rate limiting Reef; try again shortly.", wait)
          .viaTenantKey(route.byok());
    }
    return new GatewayException(502, "api_error", "upstream_error",
        "The provider of '" + route.model().id() + "' failed with HTTP " + status + ".").viaTenantKey(route.byok());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Relaying answers

  private void relayWhole(Call call, Route route, UpstreamClient.Response up, Settlement settlement,
      HttpServletResponse response) throws IOException {
    byte[] bytes;
    try (InputStream in = up.body()) {
      bytes = readWhole(in, contentLength(up.header("content-length")));
    } catch (TruncatedBody cut) {
      // The provider broke off: it did the work, so charge what its usage says, or what the bytes received show.
      UsageReader usage = new UsageReader(call.flavor());
      usage.acceptTruncatedBody(json, cut.received);
      GatewayException failure = cut.getCause() instanceof UpstreamClient.IdleTimeoutException timeout
          ? timeout.pastDeadline() ? pastDeadline() : new GatewayException(504, "api_error", "upstream_timeout",
              "The provider of '" + route.model().id() + "' went silent in the middle of its answer.")
          : new GatewayException(502, "api_error", "upstream_error", "The provider of '" + route.model().id()
              + "' broke off its answer after " + cut.received.length + " bytes.");
      settlement.finish(route, usage.counts(call.inputEstimate()), Outcome.ERROR, failure.status());
      throw failure;
    }
    bytes = CredentialScrubber.of(route.apiKey()).scrub(bytes);
    bytes = modelNames(call, route).rewrite(bytes);
    UsageReader usage = new UsageReader(call.flavor());
    try {
      usage.acceptBody(json, bytes);
    } catch (JacksonException e) {
      log.warn("Provider {} sent a response that is not JSON; charging Reef's estimate", route.provider().name());
    }
    // The ledger record is durable before the client sees the answer.
    settlement.finish(route, usage.counts(call.inputEstimate()), Outcome.OK, up.status());
    response.setStatus(up.status());
    response.setContentType(Optional.ofNullable(up.header("content-type")).orElse("application/json"));
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** The provider's connection ended before its whole answer arrived; {@code received} is what did. */
  private static final class TruncatedBody extends IOException {
    private final byte[] received;

    TruncatedBody(byte[] received, IOException cause) {
      super("the provider's answer was cut off after " + received.length + " bytes", cause);
      this.received = received;
    }
  }

  /**
   * A whole answer, at most {@link #MAX_RESPONSE_BODY} bytes, into one array of the announced length when there is
   * one. A connection that breaks off (or ends before the announced length) keeps what was received.
   */
  private static byte[] readWhole(InputStream in, long announced) throws TruncatedBody {
    int max = (int) (announced >= 0 && announced <= MAX_RESPONSE_BODY ? announced : MAX_RESPONSE_BODY);
    byte[] buffer = new byte[announced >= 0 ? max : Math.min(max, 16 * 1024)];
    int n = 0;
    try {
      while (n < max) {
        if (n == buffer.length) {
          buffer = Arrays.copyOf(buffer, (int) Math.min(max, 2L * buffer.length));
        }
        int read = in.read(buffer, n, buffer.length - n);
        if (read < 0) {
          break;
        }
        n += read;
      }
      in.read(); // the end: lets the connection go back to the pool
    } catch (IOException e) {
      throw new TruncatedBody(Arrays.copyOf(buffer, n), e);
    }
    if (announced >= 0 && n < announced) {
      throw new TruncatedBody(Arrays.copyOf(buffer, n), null);
    }
    return n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
  }

  /** A Content-Length header's value, or -1 when there is none or it is not a plain decimal number. */
  private static long contentLength(String header) {
    if (header == null || header.isEmpty() || header.length() > 18) {
      return -1;
    }
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) < '0' || header.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(header);
  }

  private void relayStream(Call call, Route route, UpstreamClient.Response up, boolean injectedUsage,
      Settlement settlement, HttpServletResponse response) throws IOException {
    response.setStatus(up.status());
    response.setContentType(Optional.ofNullable(up.header("content-type")).orElse("text/event-stream"));
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    UsageReader usage = new UsageReader(call.flavor());
    CredentialScrubber scrubber = CredentialScrubber.of(route.apiKey());
    ModelNames names = modelNames(call, route);
    SseEvents events = new SseEvents(up.body());
    OutputStream out = response.getOutputStream();
    try (InputStream body = up.body()) {
      SseEvents.Event event;
      while (true) {
        try {
          event = events.next();
        } catch (IOException e) {
          // The provider broke off (or went silent past the read timeout): charge what was produced.
          settlement.finish(route, usage.counts(call.inputEstimate()), Outcome.ERROR, 502);
          writeStreamError(call.flavor(), out, switch (e) {
            case UpstreamClient.IdleTimeoutException t when t.pastDeadline() ->
                "The call took longer than Reef's total timeout and the stream was closed.";
            case UpstreamClient.IdleTimeoutException t -> "The provider went silent and the stream was closed.";
            default -> "The provider's stream broke off.";
          });
          return;
        }
        if (event == null) {
          break;
        }
        JsonNode data = parseData(event);
        if (data != null) {
          usage.acceptEvent(data);
        }
        if (isTerminal(call.flavor(), event, data)) {
          settlement.finish(route, usage.counts(call.inputEstimate()), Outcome.OK, up.status());
        }
        boolean drop = injectedUsage && data != null && data.path("usage").isObject()
            && data.path("choices").isArray() && data.path("choices").isEmpty();
        if (!drop) {
          try {
            out.write(names.rewrite(scrubber.scrub(event.raw())));
            out.flush();
          } catch (IOException clientGone) {
            // Closing the upstream body (try-with-resources) cancels the provider's work; bill what it produced.
            settlement.finish(route, usage.counts(call.inputEstimate()), Outcome.CANCELLED, 499);
            return;
          }
        }
      }
    }
    settlement.finish(route, usage.counts(call.inputEstimate()), Outcome.OK, up.status());
  }

  private io.micrometer.core.instrument.Counter tokenCounter(CallSeries series, String type) {
    return io.micrometer.core.instrument.Counter.builder("reef.gateway.tokens")
        .description("Tokens of LLM calls through the proxy, as the providers counted them")
        .tag("type", type).tag("provider", series.provider()).tag("model", series.model()).register(metrics);
  }

  /** The answer names the model the client asked for, unless the operator keeps the provider's name for it. */
  private static ModelNames modelNames(Call call, Route route) {
    return ModelNames.of(route.model().upstreamModel(), call.requestedModel(),
        route.model().answerWithUpstreamModel());
  }

  private JsonNode parseData(SseEvents.Event event) {
    if (event.data() == null || event.data().isEmpty() || event.data().equals("[DONE]")) {
      return null;
    }
    try {
      return json.readTree(event.data());
    } catch (JacksonException e) {
      return null;
    }
  }

  /** The last event of a stream: the ledger record must be durable before the client receives it. */
  private static boolean isTerminal(ApiFlavor flavor, SseEvents.Event event, JsonNode data) {
    if ("[DONE]".equals(event.data())) {
      return true;
    }
    String type = data == null ? "" : data.path("type").asString("");
    return switch (flavor) {
      case MESSAGES -> type.equals("message_stop");
      case RESPONSES -> type.equals("response.completed") || type.equals("response.failed")
          || type.equals("response.incomplete");
      default -> false;
    };
  }

  private void writeStreamError(ApiFlavor flavor, OutputStream out, String message) {
    GatewayException e = new GatewayException(502, "api_error", "upstream_stream_error", message);
    try {
      String data = json.writeValueAsString(flavor.anthropicErrors() ? ErrorBodies.anthropic(e) : ErrorBodies.openAi(e));
      String event = (flavor.anthropicErrors() ? "event: error\n" : "") + "data: " + data + "\n\n";
      out.write(event.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException ignored) {
      // the client is gone too
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Settlement: exactly once per call, before the client sees the end

  /** How a call ended, as the ledger records it and the {@code reef.gateway.calls} metric is tagged. */
  enum Outcome {
    OK("ok"), ERROR("error"),
    /** The client went away before the end; it is charged what was produced. */
    CANCELLED("cancelled");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /** Settles or releases the reservation and writes the ledger record, exactly once. */
  final class Settlement {
    private final Call call;
    private final Reservation reservation;
    private boolean finished;

    Settlement(Call call, Reservation reservation) {
      this.call = call;
      this.reservation = reservation;
    }

    void finish(Route route, TokenCounts counts, Outcome outcome, int httpStatus) {
      if (finished) {
        return;
      }
      finished = true;
      String status = outcome.label;
      long cost = route == null ? 0 : route.model().costMicros(counts.input(), counts.cached(), counts.output());
      boolean produced = counts.input() + counts.output() > 0;
      Instant finishedAt = clock.instant();
      long elapsed = System.nanoTime() - call.startNanos();
      if (route != null) {
        providerStats.record(route.provider().name(), elapsed / 1_000_000, outcome != Outcome.ERROR);
      }
      CallSeries series = new CallSeries(call.flavor().endpoint(), status,
          route == null ? "none" : route.provider().name(), route == null ? "none" : route.model().id());
      timers.computeIfAbsent(series, k -> Timer.builder("reef.gateway.calls")
          .description("LLM calls through the proxy, from arrival to the end of the answer")
          .tag("endpoint", k.endpoint()).tag("status", k.status()).tag("provider", k.provider())
          .tag("model", k.model()).publishPercentileHistogram().register(metrics))
          .record(elapsed, TimeUnit.NANOSECONDS);
      if (produced) {
        io.micrometer.core.instrument.Counter[] counters = tokens.computeIfAbsent(series, k ->
            new io.micrometer.core.instrument.Counter[] {tokenCounter(k, "input"), tokenCounter(k, "output")});
        counters[0].increment(counts.input());
        counters[1].increment(counts.output());
      }
      UUID agent = call.caller().agentId();
      if (telemetry.enabled()) {
        telemetry.finished(new dev.reef.gateway.internal.telemetry.GenAiTelemetry.Call(call.flavor().endpoint(),
            route == null ? null : route.provider().type().json(), route == null ? null : route.provider().name(),
            call.requestedModel(), route == null ? null : route.model().upstreamModel(), counts.input(),
            counts.output(), route != null && route.byok(), status,
            outcome == Outcome.ERROR ? String.valueOf(httpStatus) : null, call.caller().tenantId().value(), agent,
            call.startedAt(), finishedAt, elapsed));
      }
      UsageRecord record = new UsageRecord(requestId(finishedAt), call.caller().tenantId(), agent == null ? null
          : agent.toString(), call.caller().apiKeyId(),
          call.flavor().endpoint(), route == null ? call.requestedModel() : route.model().id(),
          route == null ? null : route.provider().name(), counts.input(), counts.output(), counts.cached(), cost,
          elapsed / 1_000_000, status, httpStatus, route != null && route.byok(),
          reservation.metered(), call.startedAt(), finishedAt);
      fence.finish(() -> {
        try {
          if (produced) {
            meter.settle(reservation, new Usage(counts.input(), counts.output(), counts.cached(), cost));
          } else {
            meter.release(reservation);
          }
        } catch (RuntimeException e) {
          log.error("Could not settle reservation {} of tenant {}", reservation.id(), reservation.tenantId(), e);
        }
        ledger.record(record);
      });
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Small helpers

  /** Parsed once per provider URL and path (parsing took about 1 % of a call); a few entries per provider. */
  private URI upstreamUri(String url) {
    if (uris.size() > 1_000) {
      uris.clear(); // providers' URLs changed many times over: start afresh rather than grow
    }
    return uris.computeIfAbsent(url, URI::create);
  }

  /**
   * A time-ordered request id (UUID version 7, RFC 9562: 48 bits of milliseconds, 74 random bits). Consecutive
   * records land next to each other in the ledger's primary-key index instead of at random places in it, and no
   * call waits on the shared {@code SecureRandom} behind {@code UUID.randomUUID()}: a request id is a key, not a
   * secret.
   */
  static UUID requestId(Instant at) {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long msb = (at.toEpochMilli() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  void writeError(ApiFlavor flavor, HttpServletResponse response, GatewayException e) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    if (e.retryAfter() != null) {
      response.setHeader("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    writeJson(response, e.status(), flavor.anthropicErrors() ? ErrorBodies.anthropic(e) : ErrorBodies.openAi(e));
  }

  private void writeJson(HttpServletResponse response, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  static String bearer(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }

  private static byte[] readAtMost(InputStream in, int max) {
    try (in) {
      return in.readNBytes(max);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static Optional<Long> parseSeconds(String value) {
    try {
      return value == null ? Optional.empty() : Optional.of(Math.max(1, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
