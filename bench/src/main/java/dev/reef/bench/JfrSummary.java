package dev.reef.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of a proxy under load: where the CPU samples are (top frames, and methods on the
 * stack), and where the allocation samples' weight is. The same data as {@code jfr print --events
 * jdk.ExecutionSample} and {@code jdk.ObjectAllocationSample}, added up.
 *
 * <p>Usage: {@code java -cp ... dev.reef.bench.JfrSummary recording.jfr [top-n]}.
 */
public final class JfrSummary {

  private JfrSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary <recording.jfr> [top-n]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));

    Map<String, Long> self = new HashMap<>();
    Map<String, Long> onStack = new HashMap<>();
    Map<String, Long> reefEntry = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> buckets = new HashMap<>();
    long samples = 0;
    Map<String, Long> allocByClass = new HashMap<>();
    Map<String, Long> allocBySite = new HashMap<>();
    Map<String, Long> allocByReef = new HashMap<>();
    long allocTotal = 0;
    long gcPauseNanos = 0;
    long gcCount = 0;

    Predicate<String> reef = m -> m.startsWith("dev.reef.");
    for (RecordedEvent e : events) {
      String type = e.getEventType().getName();
      switch (type) {
        case "jdk.ExecutionSample" -> {
          RecordedStackTrace st = e.getStackTrace();
          if (st == null || st.getFrames().isEmpty()) {
            continue;
          }
          samples++;
          List<RecordedFrame> frames = st.getFrames();
          self.merge(name(frames.getFirst()), 1L, Long::sum);
          Set<String> seen = new HashSet<>();
          String firstReef = null;
          for (RecordedFrame f : frames) {
            String n = name(f);
            if (seen.add(n)) {
              onStack.merge(n, 1L, Long::sum);
            }
            if (firstReef == null && reef.test(n)) {
              firstReef = n;
            }
          }
          reefEntry.merge(firstReef == null ? "(no dev.reef frame)" : firstReef, 1L, Long::sum);
          buckets.merge(bucket(seen), 1L, Long::sum);
          String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
          threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1L, Long::sum);
        }
        case "jdk.ObjectAllocationSample" -> {
          long w = e.getLong("weight");
          allocTotal += w;
          allocByClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
          RecordedStackTrace st = e.getStackTrace();
          if (st != null && !st.getFrames().isEmpty()) {
            allocBySite.merge(name(st.getFrames().getFirst()), w, Long::sum);
            String firstReef = st.getFrames().stream().map(JfrSummary::name).filter(reef).findFirst()
                .orElse("(no dev.reef frame)");
            allocByReef.merge(firstReef, w, Long::sum);
          }
        }
        case "jdk.GarbageCollection" -> {
          gcCount++;
          gcPauseNanos += e.getDuration("sumOfPauses").toNanos();
        }
        default -> { }
      }
    }
    System.out.printf(Locale.ROOT, "CPU: %d execution samples%n", samples);
    print("top frames (self time)", self, samples, top, "samples");
    print("methods on the stack (inclusive), dev.reef and its libraries", filter(onStack,
        n -> !n.startsWith("java.lang.Thread.") && !n.startsWith("java.lang.VirtualThread.")
            && !n.startsWith("jdk.internal.vm.Continuation") && !n.startsWith("java.util.concurrent.ForkJoin")),
        samples, top, "samples");
    print("dev.reef methods on the stack (inclusive)", filter(onStack, reef), samples, top, "samples");
    print("first dev.reef frame on the stack", reefEntry, samples, top, "samples");
    print("where the CPU goes (buckets)", buckets, samples, 12, "samples");
    print("threads (digits folded)", threads, samples, 12, "samples");
    System.out.printf(Locale.ROOT, "%nallocation: %.1f MiB sampled weight%n", allocTotal / 1048576.0);
    print("allocated classes", allocByClass, allocTotal, top, "bytes");
    print("allocation sites (top frame)", allocBySite, allocTotal, top, "bytes");
    print("allocation by first dev.reef frame", allocByReef, allocTotal, top, "bytes");
    System.out.printf(Locale.ROOT, "%nGC: %d collections, %.1f ms of pauses in all%n", gcCount, gcPauseNanos / 1e6);
  }

  /** A coarse split of one CPU sample, from the methods on its stack. */
  private static String bucket(Set<String> stack) {
    if (stack.contains("dev.reef.gateway.internal.proxy.GatewayProxy.handle")) {
      if (stack.contains("dev.reef.gateway.internal.upstream.UpstreamClient.post")) {
        return "proxy: upstream call (JDK HttpClient send, until headers)";
      }
      if (stack.contains("dev.reef.gateway.internal.proxy.GatewayProxy$Settlement.finish")) {
        return "proxy: settle (meter + ledger journal append)";
      }
      if (stack.contains("dev.reef.gateway.internal.proxy.GatewayProxy.relayWhole")
          || stack.contains("dev.reef.gateway.internal.proxy.GatewayProxy.relayStream")) {
        return "proxy: relay the answer (read upstream body, parse usage, write)";
      }
      if (stack.contains("dev.reef.gateway.internal.proxy.GatewayProxy.admit")) {
        return "proxy: admit (auth, profile, read + parse body, routes)";
      }
      if (stack.contains("dev.reef.gateway.internal.proxy.GatewayProxy.reserve")) {
        return "proxy: reserve (meter)";
      }
      return "proxy: other (body copy + serialise, headers, breaker, gate)";
    }
    if (stack.contains("org.apache.catalina.core.ApplicationFilterChain.doFilter")) {
      return "servlet filters around the proxy (Spring Security chain + observations, ...)";
    }
    if (stack.stream().anyMatch(m -> m.startsWith("jdk.internal.net.http."))) {
      return "JDK HttpClient machinery outside the request thread (selector, async completion)";
    }
    if (stack.stream().anyMatch(m -> m.startsWith("org.apache.tomcat.") || m.startsWith("org.apache.coyote."))) {
      return "Tomcat connector (parse request, poller, write response)";
    }
    if (stack.stream().anyMatch(m -> m.startsWith("dev.reef.metering."))) {
      return "metering in the background (ledger flusher, ...)";
    }
    return "other (JVM threads, scheduling, ...)";
  }

  private static Map<String, Long> filter(Map<String, Long> m, Predicate<String> keep) {
    Map<String, Long> out = new HashMap<>();
    m.forEach((k, v) -> {
      if (keep.test(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static void print(String title, Map<String, Long> counts, long total, int top, String unit) {
    System.out.printf("%n-- %s --%n", title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(en -> System.out.printf(Locale.ROOT, "%6.2f%%  %12d %s  %s%n",
            total == 0 ? 0.0 : 100.0 * en.getValue() / total, en.getValue(), unit, en.getKey()));
  }

  private static String name(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "?";
    }
    return m.getType().getName() + "." + m.getName();
  }
}
