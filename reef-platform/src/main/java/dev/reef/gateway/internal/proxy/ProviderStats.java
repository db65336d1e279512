package dev.reef.gateway.internal.proxy;

import dev.reef.gateway.ProviderActivity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.springframework.stereotype.Component;

/**
 * Calls, errors and durations per provider and minute, for the last hour: a ring of 60 minutes per provider. Each
 * call costs a map lookup and a few atomic updates (it is on the proxy's path); durations are kept as a sample of
 * at most {@value #SAMPLES} a minute (reservoir sampling), enough for p50 and p99.
 */
@Component
final class ProviderStats implements ProviderActivity {

  static final int MINUTES = 60;
  static final int SAMPLES = 512;

  private final ConcurrentHashMap<String, Minute[]> byProvider = new ConcurrentHashMap<>();
  private final Clock clock;
  private final dev.reef.gateway.internal.upstream.ProviderHealth circuits;

  ProviderStats(Clock clock, dev.reef.gateway.internal.upstream.ProviderHealth circuits) {
    this.clock = clock;
    this.circuits = circuits;
  }

  private static final class Minute {
    final long number;
    final AtomicLong calls = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLongArray samples = new AtomicLongArray(SAMPLES);
    final AtomicInteger seen = new AtomicInteger();

    Minute(long number) {
      this.number = number;
    }
  }

  void record(String provider, long millis, boolean ok) {
    long now = clock.millis() / 60_000;
    Minute[] ring = byProvider.computeIfAbsent(provider, p -> new Minute[MINUTES]);
    int slot = (int) (now % MINUTES);
    Minute minute = ring[slot];
    if (minute == null || minute.number != now) {
      synchronized (ring) {
        minute = ring[slot];
        if (minute == null || minute.number != now) {
          minute = new Minute(now);
          ring[slot] = minute;
        }
      }
    }
    minute.calls.incrementAndGet();
    if (!ok) {
      minute.errors.incrementAndGet();
    }
    int n = minute.seen.getAndIncrement();
    if (n < SAMPLES) {
      minute.samples.set(n, millis);
    } else {
      int at = ThreadLocalRandom.current().nextInt(n + 1);
      if (at < SAMPLES) {
        minute.samples.set(at, millis);
      }
    }
  }

  @Override
  public List<ProviderHour> lastHour() {
    long now = clock.millis() / 60_000;
    List<ProviderHour> out = new ArrayList<>();
    byProvider.forEach((provider, ring) -> {
      long calls = 0;
      long errors = 0;
      List<Long> perMinute = new ArrayList<>(MINUTES);
      List<Long> samples = new ArrayList<>();
      for (long m = now - MINUTES + 1; m <= now; m++) {
        Minute minute = ring[(int) (m % MINUTES)];
        if (minute == null || minute.number != m) {
          perMinute.add(0L);
          continue;
        }
        calls += minute.calls.get();
        errors += minute.errors.get();
        perMinute.add(minute.calls.get());
        int kept = Math.min(SAMPLES, minute.seen.get());
        for (int i = 0; i < kept; i++) {
          samples.add(minute.samples.get(i));
        }
      }
      String circuit = circuits.state(provider);
      if (calls > 0 || !circuit.equals("closed")) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        out.add(new ProviderHour(provider, calls, errors, percentile(sorted, 0.50), percentile(sorted, 0.99),
            List.copyOf(perMinute), circuit));
      }
    });
    circuits.notClosed().forEach((provider, circuit) -> {
      if (!byProvider.containsKey(provider)) {
        out.add(new ProviderHour(provider, 0, 0, 0, 0, java.util.Collections.nCopies(MINUTES, 0L), circuit));
      }
    });
    out.sort((a, b) -> a.provider().compareTo(b.provider()));
    return out;
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  @Override
  public String toString() {
    return "ProviderStats" + Arrays.toString(byProvider.keySet().toArray());
  }
}
