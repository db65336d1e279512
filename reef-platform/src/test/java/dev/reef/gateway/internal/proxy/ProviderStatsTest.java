package dev.reef.gateway.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.gateway.ProviderActivity.ProviderHour;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderStatsTest {

  /** A clock a test moves by hand. */
  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-07T10:00:30Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void countsCallsAndFailuresPerMinute_forTheLastHourOnly_withPercentilesOfTheDurations() {
    MovableClock clock = new MovableClock();
    ProviderStats stats = new ProviderStats(clock, new dev.reef.gateway.internal.upstream.ProviderHealth());
    for (int i = 1; i <= 100; i++) {
      stats.record("openai", i * 10L, i % 10 != 0); // 10..1000 ms; every tenth failed
    }
    clock.now = clock.now.plus(Duration.ofMinutes(2));
    stats.record("openai", 5, true);
    stats.record("anthropic", 7, false);

    List<ProviderHour> hour = stats.lastHour();
    assertThat(hour).extracting(ProviderHour::provider).containsExactly("anthropic", "openai");
    ProviderHour openai = hour.get(1);
    assertThat(openai.calls()).isEqualTo(101);
    assertThat(openai.errors()).isEqualTo(10);
    assertThat(openai.p50Millis()).isEqualTo(500);
    assertThat(openai.p99Millis()).isEqualTo(990);
    assertThat(openai.callsPerMinute()).hasSize(60);
    assertThat(openai.callsPerMinute().get(57)).isEqualTo(100);
    assertThat(openai.callsPerMinute().get(59)).isEqualTo(1);
    assertThat(hour.get(0).errorShare()).isEqualTo(1.0);

    clock.now = clock.now.plus(Duration.ofMinutes(61));
    assertThat(stats.lastHour()).as("an hour later, nothing is left").isEmpty();
  }

  @Test
  void keepsASampleOfTheDurations_whenAMinuteHasManyCalls() {
    ProviderStats stats = new ProviderStats(new MovableClock(), new dev.reef.gateway.internal.upstream.ProviderHealth());
    for (int i = 0; i < 10_000; i++) {
      stats.record("busy", 100, true);
    }
    ProviderHour busy = stats.lastHour().getFirst();
    assertThat(busy.calls()).isEqualTo(10_000);
    assertThat(busy.p99Millis()).isEqualTo(100);
  }

  @Test
  void aProviderWhoseCircuitOpened_isListedWithItsState_evenWithoutCallsInTheHour() {
    dev.reef.gateway.internal.upstream.ProviderHealth circuits = new dev.reef.gateway.internal.upstream.ProviderHealth();
    ProviderStats stats = new ProviderStats(new MovableClock(), circuits);
    stats.record("healthy", 10, true);
    io.github.resilience4j.circuitbreaker.CircuitBreaker failing = circuits.of("failing");
    for (int i = 0; i < 10; i++) {
      failing.onError(5, java.util.concurrent.TimeUnit.MILLISECONDS, new java.io.IOException("connection refused"));
    }

    assertThat(stats.lastHour()).extracting(ProviderHour::provider, ProviderHour::circuit, ProviderHour::calls)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("failing", "open", 0L),
            org.assertj.core.groups.Tuple.tuple("healthy", "closed", 1L));
  }
}
