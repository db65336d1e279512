package dev.reef.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.HdrHistogram.Histogram;

/**
 * Measures the latency proxies add in front of one mock LLM upstream. All targets (the mock itself, the baseline,
 * and each proxy) go through the same scenarios in the same run, one target after the other within each scenario,
 * so the baseline is measured under the same conditions as the proxies next to it.
 *
 * <p>Usage: {@code java -cp ... dev.reef.bench.ProxyBench bench.properties}. See bench/run-proxy-bench.sh, which
 * writes the properties file; the keys are read in {@link #main} and {@link Target#fromProperties}.
 */
public final class ProxyBench {

  /** One scenario: how to load a target, and for how long. */
  record Scenario(String name, String title, Kind kind, boolean stream, double rate, int connections) {}

  enum Kind { SEQUENTIAL, OPEN, CLOSED }

  private final Properties config;
  private final List<Target> targets;
  private final double warmupSeconds;
  private final double measureSeconds;
  private final double targetWarmupSeconds;
  /** Longest extra warm-up, seconds, while a JVM target's JIT compilers are still busy. */
  private final double jitSettleMaxSeconds;
  /** Extra warm-up each target got while its JIT settled, for the result file. */
  private final Map<String, String> jitSettled = new LinkedHashMap<>();
  private final int seqRequests;
  private final int seqBlock;
  private final PrintStream raw;
  private final Map<Scenario, Map<String, Load.Outcome>> results = new LinkedHashMap<>();
  /** Non-zero when a target went away during the run: the tables are still printed, the run still fails. */
  private int exitCode;

  private ProxyBench(Properties config, PrintStream raw) {
    this.config = config;
    this.raw = raw;
    this.targets = new ArrayList<>();
    for (String name : config.getProperty("targets", "").split(",")) {
      if (!name.isBlank()) {
        targets.add(Target.fromProperties(name.trim(), config));
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets configured");
    }
    this.warmupSeconds = Double.parseDouble(config.getProperty("warmupSeconds", "3"));
    this.measureSeconds = Double.parseDouble(config.getProperty("measureSeconds", "10"));
    this.targetWarmupSeconds = Double.parseDouble(config.getProperty("targetWarmupSeconds", "10"));
    this.jitSettleMaxSeconds = Double.parseDouble(config.getProperty("jitSettleMaxSeconds", "120"));
    this.seqRequests = Integer.parseInt(config.getProperty("seqRequests", "10000"));
    this.seqBlock = Integer.parseInt(config.getProperty("seqBlock", "500"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ProxyBench <bench.properties>");
      System.exit(2);
    }
    Properties config = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
      config.load(r);
    }
    Path rawFile = Path.of(config.getProperty("rawFile", "proxy-bench-raw.txt"));
    try (PrintStream raw = new PrintStream(Files.newOutputStream(rawFile), true, StandardCharsets.UTF_8)) {
      ProxyBench bench = new ProxyBench(config, raw);
      bench.run();
      if (bench.exitCode != 0) {
        System.err.println("ProxyBench: a target went away during the run; its rows say 'target down'");
        System.exit(bench.exitCode);
      }
    }
  }

  private List<Scenario> scenarios() {
    List<Scenario> all = List.of(
        new Scenario("seq-json", "sequential, one request at a time, non-streaming (latency from send)",
            Kind.SEQUENTIAL, false, 0, 1),
        new Scenario("seq-stream", "sequential, one request at a time, streaming: time to first chunk",
            Kind.SEQUENTIAL, true, 0, 1),
        new Scenario("open-500-json", "open loop 500 rps, non-streaming (latency from intended send time)",
            Kind.OPEN, false, 500, connectionsFor(500, onePer31Rps(500))),
        new Scenario("open-500-stream", "open loop 500 rps, streaming: time to first chunk from intended send time",
            Kind.OPEN, true, 500, connectionsFor(500, onePer31Rps(500))),
        new Scenario("open-2000-json", "open loop 2,000 rps, non-streaming (latency from intended send time)",
            Kind.OPEN, false, 2000, connectionsFor(2000, onePer31Rps(2000))),
        new Scenario("open-2000-stream", "open loop 2,000 rps, streaming: time to first chunk from intended send time",
            Kind.OPEN, true, 2000, connectionsFor(2000, onePer31Rps(2000))),
        // The throughput target as a rate: 10,000 requests per second held for the whole run over 64 connections,
        // each latency from its intended send time, so p99 is the tail at that load rather than at saturation.
        new Scenario("open-10000-json", "open loop 10,000 rps on 64 connections, non-streaming (latency from "
            + "intended send time)", Kind.OPEN, false, 10_000, connectionsFor(10_000, 64)),
        new Scenario("closed-64-json", "closed loop, 64 connections as fast as possible, non-streaming",
            Kind.CLOSED, false, 0, Integer.parseInt(config.getProperty("closedConnections", "64"))));
    String only = config.getProperty("scenarios", "").trim();
    if (only.isEmpty()) {
      return all;
    }
    List<String> names = List.of(only.split(","));
    return all.stream().filter(s -> names.contains(s.name())).toList();
  }

  /** Connections for an open-loop rate: as configured ({@code openConnections.<rate>}), else {@code otherwise}. */
  private int connectionsFor(double rate, int otherwise) {
    String v = config.getProperty("openConnections." + (int) rate);
    return v != null ? Integer.parseInt(v) : otherwise;
  }

  private static int onePer31Rps(double rate) {
    return Math.max(8, (int) Math.ceil(rate / 31.25));
  }

  private void run() throws Exception {
    header();
    for (Target t : targets) {
      check(t);
    }
    for (Target t : targets) {
      log("warming up %s: %.0f s closed loop (16 connections), non-streaming then streaming", t.name(),
          targetWarmupSeconds);
      try {
        Load.closedLoop(t, false, 16, 0, targetWarmupSeconds * 2 / 3);
        Load.closedLoop(t, true, 16, 0, targetWarmupSeconds / 3);
        untilJitSettles(t);
      } catch (IllegalStateException e) {
        log("WARNING: %s went away during its warm-up: %s", t.name(), e.getMessage());
      }
    }
    if (!jitSettled.isEmpty()) {
      String line = "# warm-up extended until the JIT settled: " + jitSettled.entrySet().stream()
          .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining("; "));
      System.out.println(line);
      raw.println(line);
    }
    for (Scenario s : scenarios()) {
      Map<String, Load.Outcome> byTarget = new LinkedHashMap<>();
      results.put(s, byTarget);
      if (s.kind() == Kind.SEQUENTIAL) {
        sequential(s, byTarget);
      } else {
        for (Target t : targets) {
          log("%s -> %s", s.name(), t.name());
          long cpu0 = t.cpuMillis();
          long[] other0 = otherCpu();
          Load.Outcome o;
          try {
            o = s.kind() == Kind.OPEN
                ? Load.openLoop(t, s.stream(), s.rate(), s.connections(), warmupSeconds, measureSeconds)
                : Load.closedLoop(t, s.stream(), s.connections(), warmupSeconds, measureSeconds);
          } catch (IllegalStateException e) {
            // The target went away (crashed, or was stopped from outside): say so, and go on with the others.
            o = down(t, e);
          }
          long cpu1 = t.cpuMillis();
          o.cpuMillis = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
          foreign(o, other0, otherCpu());
          o.rssMiB = t.rssMiB();
          byTarget.put(t.name(), o);
          rawDetail(s, t, o);
          Thread.sleep(1000); // let a saturated target drain before the next one
        }
      }
      printScenario(System.out, s, byTarget);
      printScenario(raw, s, byTarget);
    }
    summary(System.out);
    summary(raw);
  }

  /** Interleaves the targets in blocks so that drift (JIT, page cache, noisy neighbours) hits all alike. */
  private void sequential(Scenario s, Map<String, Load.Outcome> byTarget) {
    log("%s: %d requests per target, interleaved in blocks of %d", s.name(), seqRequests, seqBlock);
    Map<String, HttpConnection> conns = new LinkedHashMap<>();
    Map<String, Long> cpu0 = new LinkedHashMap<>();
    for (Target t : targets) {
      try {
        conns.put(t.name(), Load.connect(t, 1).getFirst());
      } catch (IllegalStateException e) {
        byTarget.put(t.name(), down(t, e));
        continue;
      }
      Load.Outcome warm = new Load.Outcome();
      Load.sequential(conns.get(t.name()), t, s.stream(), Math.min(2000, seqRequests / 5), warm);
      byTarget.put(t.name(), new Load.Outcome());
      cpu0.put(t.name(), t.cpuMillis());
    }
    long[] other0 = otherCpu();
    for (int done = 0; done < seqRequests; done += seqBlock) {
      for (Target t : targets) {
        if (!conns.containsKey(t.name())) {
          continue;
        }
        Load.sequential(conns.get(t.name()), t, s.stream(), Math.min(seqBlock, seqRequests - done),
            byTarget.get(t.name()));
      }
    }
    long[] other1 = otherCpu();
    for (Target t : targets) {
      if (!conns.containsKey(t.name())) {
        continue;
      }
      foreign(byTarget.get(t.name()), other0, other1);
      conns.get(t.name()).close();
      Load.Outcome o = byTarget.get(t.name());
      long c1 = t.cpuMillis();
      o.cpuMillis = cpu0.get(t.name()) < 0 || c1 < 0 ? -1 : c1 - cpu0.get(t.name());
      o.rssMiB = t.rssMiB();
      rawDetail(s, t, o);
    }
  }

  private Load.Outcome down(Target t, IllegalStateException e) {
    log("WARNING: %s: %s (is it still running?)", t.name(), e.getMessage());
    raw.printf("WARNING: %s: %s%n", t.name(), e.getMessage());
    exitCode = 3;
    Load.Outcome o = new Load.Outcome();
    o.error("target down");
    return o;
  }

  /** {machine busy ms, targets' + generator's ms, wall ms}: to tell how much CPU something else on the host took. */
  private long[] otherCpu() {
    long ours = Target.selfCpuMillis();
    for (Target t : targets) {
      ours += Math.max(0, t.cpuMillis());
    }
    return new long[] {Target.machineBusyMillis(), ours, System.nanoTime() / 1_000_000};
  }

  private static void foreign(Load.Outcome o, long[] before, long[] after) {
    if (before[0] >= 0 && after[0] >= 0) {
      o.foreignCpuMillis = Math.max(0, (after[0] - before[0]) - (after[1] - before[1]));
      o.wallMillis = after[2] - before[2];
    }
  }

  /** Share of the machine's CPUs that other processes took during a run, in percent. */
  private static String foreignShare(Load.Outcome o) {
    if (o.foreignCpuMillis < 0 || o.wallMillis <= 0) {
      return "";
    }
    return String.format(Locale.ROOT, "%.0f%%",
        100.0 * o.foreignCpuMillis / (o.wallMillis * (double) Runtime.getRuntime().availableProcessors()));
  }

  /** One request of each kind through the ordinary JDK client, to fail early with the target's own words. */
  private void check(Target t) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (boolean stream : new boolean[] {false, true}) {
      byte[] req = stream ? t.streamRequest() : t.jsonRequest();
      String text = new String(req, StandardCharsets.ISO_8859_1);
      String[] headAndBody = text.split("\r\n\r\n", 2);
      String[] lines = headAndBody[0].split("\r\n");
      String path = lines[0].split(" ")[1];
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + t.host() + ":" + t.port() + path))
          .timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(headAndBody[1], StandardCharsets.UTF_8));
      for (int i = 1; i < lines.length; i++) {
        String name = lines[i].substring(0, lines[i].indexOf(':'));
        if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
          b.header(name, lines[i].substring(lines[i].indexOf(':') + 1).trim());
        }
      }
      // A proxy just started may fail its first calls (a cold connection to Redis, say): that is noted, and
      // retried for a while before giving up.
      HttpResponse<String> r = null;
      String body = "";
      for (int attempt = 1; ; attempt++) {
        r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        body = r.body();
        boolean good = r.statusCode() == 200
            && (stream ? body.contains("data: [DONE]") : body.contains("\"usage\""));
        if (good) {
          break;
        }
        String what = t.name() + " answered a " + (stream ? "streaming" : "non-streaming") + " request with HTTP "
            + r.statusCode() + ": " + body.substring(0, Math.min(600, body.length()));
        if (attempt == 10) {
          throw new IllegalStateException(what);
        }
        log("NOTE: %s (attempt %d; retrying in 1 s)", what, attempt);
        raw.printf("NOTE: %s (attempt %d)%n", what, attempt);
        Thread.sleep(1000);
      }
      raw.printf("check %s %s: HTTP %d, %d bytes%n%s%n", t.name(), stream ? "stream" : "json", r.statusCode(),
          body.length(), body.length() > 1500 ? body.substring(0, 1500) + "..." : body);
    }
    log("%s answers (non-streaming and streaming)", t.name());
  }

  /**
   * Keeps warming a JVM target up, in 10 s rounds alternating whole and streamed answers, while its JIT compilers
   * used more than 5 % of a CPU in the last round, for at most {@code jitSettleMaxSeconds}. A fixed warm-up that is
   * enough on a fast host leaves a slow one still compiling (over 300 methods a second, 36 s into a 15 s warm-up's
   * measured phase, on 2026-11-29), and the measured figures then mix interpreted and compiled code.
   */
  private void untilJitSettles(Target t) throws InterruptedException {
    final double round = 10;
    long jit0 = t.jitCpuMillis();
    if (jit0 < 0) {
      return; // not a JVM
    }
    double extra = 0;
    double busy = Double.NaN;
    while (extra < jitSettleMaxSeconds) {
      Load.closedLoop(t, extra % (2 * round) != 0, 16, 0, round);
      extra += round;
      long jit1 = t.jitCpuMillis();
      busy = (jit1 - jit0) / (round * 1000);
      jit0 = jit1;
      if (busy <= 0.05) {
        break;
      }
      log("%s: its JIT compilers used %.0f %% of a CPU in the last %.0f s; warming up on", t.name(), 100 * busy, round);
    }
    String outcome = String.format(Locale.ROOT, "+%.0f s (JIT at %.0f %% of a CPU in the last round%s)", extra,
        100 * busy, busy > 0.05 ? ", gave up waiting" : "");
    jitSettled.put(t.name(), outcome);
    log("%s: warm-up extended %s", t.name(), outcome);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reporting

  private void header() {
    String h = String.format(Locale.ROOT, "# Reef LLM proxy benchmark, %s%n# %s%n# warm-up %.0f s per target, then per "
            + "scenario %.0f s warm-up + %.0f s measured; sequential: %d requests per target%n# targets: %s%n",
        ZonedDateTime.now(), config.getProperty("machine", ""), targetWarmupSeconds, warmupSeconds, measureSeconds,
        seqRequests, targets.stream().map(Target::name).toList());
    System.out.print(h);
    raw.print(h);
    raw.println("# configuration:");
    config.stringPropertyNames().stream().sorted()
        .forEach(k -> raw.println("#   " + k + " = " + config.getProperty(k)));
  }

  private void rawDetail(Scenario s, Target t, Load.Outcome o) {
    raw.printf(Locale.ROOT, "%n## %s / %s: ok=%d unsent=%d errors=%s throughput=%.1f/s cpu=%d ms rss=%d MiB "
            + "other-processes-cpu=%d ms over %d ms%n",
        s.name(), t.name(), o.ok, o.unsent, o.errors, o.throughput(), o.cpuMillis, o.rssMiB, o.foreignCpuMillis,
        o.wallMillis);
    raw.println("### latency" + (s.stream() ? " to first chunk" : "") + " (ms)");
    o.latency.outputPercentileDistribution(raw, 5, 1e6);
    if (s.stream()) {
      raw.println("### full response (ms)");
      o.full.outputPercentileDistribution(raw, 5, 1e6);
    }
    if (s.kind() == Kind.OPEN) {
      raw.println("### generator send lag behind schedule (ms)");
      o.sendLag.outputPercentileDistribution(raw, 5, 1e6);
    }
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  private void printScenario(PrintStream out, Scenario s, Map<String, Load.Outcome> byTarget) {
    Load.Outcome base = targets.stream().filter(Target::baseline).map(t -> byTarget.get(t.name()))
        .findFirst().orElse(null);
    out.printf("%n== %s: %s (ms) ==%n", s.name(), s.title());
    boolean closed = s.kind() == Kind.CLOSED;
    boolean open = s.kind() == Kind.OPEN;
    out.printf("%-12s %9s %8s %8s %8s %8s %8s %9s %9s %8s %7s %6s %6s  %s%n", "target",
        closed ? "req/s" : open ? "sent/s" : "requests", "p50", "p90", "p99", "p99.9", "max", "+p50", "+p99",
        "cpu/req", "rss", open ? "lag99" : "", "other", "errors");
    for (Target t : targets) {
      Load.Outcome o = byTarget.get(t.name());
      if (o == null) {
        continue;
      }
      Histogram h = o.latency;
      boolean saturated = open && (o.unsent > 0 || o.ok < 0.95 * o.intended);
      String addP50 = base == null || t.baseline() || saturated ? "" : fmt(ms(h, 50) - ms(base.latency, 50));
      String addP99 = base == null || t.baseline() || saturated ? "" : fmt(ms(h, 99) - ms(base.latency, 99));
      long requests = o.ok + o.errorCount();
      String cpu = o.cpuMillis < 0 || requests == 0 ? "" : String.format(Locale.ROOT, "%.0fus",
          o.cpuMillis * 1000.0 / (requests * (s.kind() == Kind.SEQUENTIAL ? 1.0 : 1.0)));
      String volume = closed ? String.format(Locale.ROOT, "%.0f", o.throughput())
          : open ? String.format(Locale.ROOT, "%.0f", (o.intended - o.unsent) * 1e9 / o.measuredNanos)
          : Long.toString(o.ok);
      String errors = o.errors.isEmpty() ? "" : o.errors.toString();
      if (saturated) {
        errors = ("SATURATED: " + o.unsent + " of " + o.intended + " never sent " + errors).trim();
      }
      out.printf(Locale.ROOT, "%-12s %9s %8s %8s %8s %8s %8s %9s %9s %8s %7s %6s %6s  %s%n", t.name(), volume,
          fmt(ms(h, 50)), fmt(ms(h, 90)), fmt(ms(h, 99)), fmt(ms(h, 99.9)), fmt(h.getMaxValue() / 1e6), addP50,
          addP99, cpu, o.rssMiB < 0 ? "" : o.rssMiB + "M", open ? fmt(ms(o.sendLag, 99)) : "", foreignShare(o),
          errors);
    }
    if (s.stream()) {
      out.printf("   full streamed response p50/p99:");
      for (Target t : targets) {
        Load.Outcome o = byTarget.get(t.name());
        if (o != null) {
          out.printf(Locale.ROOT, "  %s %s/%s", t.name(), fmt(ms(o.full, 50)), fmt(ms(o.full, 99)));
        }
      }
      out.println();
    }
  }

  /** The headline figures: added latency (target minus baseline) per scenario. */
  private void summary(PrintStream out) {
    out.printf("%n== summary: latency added over the direct call, p50 / p99 (ms); closed loop: req/s and p99 ==%n");
    out.printf("%-18s", "scenario");
    for (Target t : targets) {
      out.printf(" %21s", t.name());
    }
    out.println();
    Target baseline = targets.stream().filter(Target::baseline).findFirst().orElse(null);
    for (Map.Entry<Scenario, Map<String, Load.Outcome>> e : results.entrySet()) {
      Scenario s = e.getKey();
      out.printf("%-18s", s.name());
      Load.Outcome base = baseline == null ? null : e.getValue().get(baseline.name());
      for (Target t : targets) {
        Load.Outcome o = e.getValue().get(t.name());
        String cell;
        if (o == null) {
          cell = "-";
        } else if (s.kind() == Kind.CLOSED) {
          cell = String.format(Locale.ROOT, "%.0f/s p99 %s", o.throughput(), fmt(ms(o.latency, 99)));
        } else if (s.kind() == Kind.OPEN && (o.unsent > 0 || o.ok < 0.95 * o.intended)) {
          cell = "saturated";
        } else if (t.baseline() || base == null) {
          cell = fmt(ms(o.latency, 50)) + " / " + fmt(ms(o.latency, 99)) + " abs";
        } else {
          cell = signed(ms(o.latency, 50) - ms(base.latency, 50)) + " / "
              + signed(ms(o.latency, 99) - ms(base.latency, 99));
        }
        if (o != null && o.errorCount() > 0) {
          cell += " E" + o.errorCount();
        }
        out.printf(" %21s", cell);
      }
      out.println();
    }
  }

  private static String signed(double v) {
    return (v >= 0 ? "+" : "") + fmt(v);
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : Math.abs(v) >= 10
        ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[%tT] " + format + "%n", prepend(ZonedDateTime.now(), args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
