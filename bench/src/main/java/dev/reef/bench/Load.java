package dev.reef.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The three ways of loading a target. Each runs platform threads, one per keep-alive connection, so a response is
 * read by the thread the kernel wakes (no scheduler hop) and nothing the generator does is shared between
 * connections but the final merge of the histograms.
 */
final class Load {

  private static final long HIGHEST = 120_000_000_000L; // 120 s in ns
  static final int TIMEOUT_MILLIS = 30_000;

  private Load() {}

  /** What one run of one scenario against one target measured. Latencies in nanoseconds. */
  static final class Outcome {
    /** Non-streaming: the full response. Streaming: time to the first SSE data line. */
    final Histogram latency = histogram();
    /** Streaming only: the full response. */
    final Histogram full = histogram();
    /** Open loop only: how late the generator actually sent, against the schedule (its own jitter). */
    final Histogram sendLag = histogram();
    long ok;
    long unsent;
    long measuredNanos;
    long intended;
    final Map<String, Long> errors = new TreeMap<>();
    long cpuMillis = -1;
    /** CPU (ms) that processes other than the targets and the load generator used during the run. */
    long foreignCpuMillis = -1;
    long wallMillis;
    long rssMiB = -1;

    void error(String kind) {
      errors.merge(kind, 1L, Long::sum);
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    void add(Outcome o) {
      latency.add(o.latency);
      full.add(o.full);
      sendLag.add(o.sendLag);
      ok += o.ok;
      unsent += o.unsent;
      intended += o.intended;
      o.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
    }

    double throughput() {
      return measuredNanos == 0 ? 0 : ok * 1e9 / measuredNanos;
    }
  }

  static Histogram histogram() {
    return new Histogram(1, HIGHEST, 3);
  }

  /**
   * Open loop: {@code rate} requests per second, spread over {@code connections} connections, each request with an
   * intended send time on a fixed schedule. Latency runs from the intended time, so a response that holds up the
   * next request on its connection is charged to that request too (no coordinated omission). Requests still not
   * sent {@code grace} after the end of the schedule are counted as unsent: the target could not keep up.
   */
  static Outcome openLoop(Target t, boolean stream, double rate, int connections, double warmupSeconds,
      double measureSeconds) throws InterruptedException {
    List<HttpConnection> conns = connect(t, connections);
    long start = System.nanoTime() + 100_000_000L;
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long end = measureFrom + (long) (measureSeconds * 1e9);
    long giveUp = end + 2_000_000_000L;
    double period = 1e9 / rate;
    byte[] request = stream ? t.streamRequest() : t.jsonRequest();
    Outcome[] parts = new Outcome[connections];
    Thread[] threads = new Thread[connections];
    for (int j = 0; j < connections; j++) {
      int slot = j;
      Outcome o = parts[j] = new Outcome();
      HttpConnection c = conns.get(j);
      threads[j] = Thread.ofPlatform().name("open-" + t.name() + "-" + j).start(() -> {
        for (long k = 0; ; k++) {
          long intended = start + (long) ((k * connections + slot) * period);
          if (intended >= end) {
            break;
          }
          boolean measured = intended >= measureFrom;
          long now = waitUntil(intended);
          if (now > giveUp) {
            // Count what this connection never got to send.
            for (long m = k; ; m++) {
              long i = start + (long) ((m * connections + slot) * period);
              if (i >= end) {
                break;
              }
              if (i >= measureFrom) {
                o.unsent++;
                o.intended++;
              }
            }
            break;
          }
          if (measured) {
            o.intended++;
            o.sendLag.recordValue(Math.max(1, now - intended));
          }
          exchange(c, request, stream, intended, measured, o);
        }
      });
    }
    for (Thread th : threads) {
      th.join();
    }
    conns.forEach(HttpConnection::close);
    Outcome all = new Outcome();
    for (Outcome o : parts) {
      all.add(o);
    }
    all.measuredNanos = end - measureFrom;
    return all;
  }

  /** Closed loop: {@code connections} connections each sending its next request as soon as it has its answer. */
  static Outcome closedLoop(Target t, boolean stream, int connections, double warmupSeconds, double measureSeconds)
      throws InterruptedException {
    List<HttpConnection> conns = connect(t, connections);
    long start = System.nanoTime() + 100_000_000L;
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long end = measureFrom + (long) (measureSeconds * 1e9);
    byte[] request = stream ? t.streamRequest() : t.jsonRequest();
    Outcome[] parts = new Outcome[connections];
    Thread[] threads = new Thread[connections];
    for (int j = 0; j < connections; j++) {
      Outcome o = parts[j] = new Outcome();
      HttpConnection c = conns.get(j);
      threads[j] = Thread.ofPlatform().name("closed-" + t.name() + "-" + j).start(() -> {
        waitUntil(start);
        while (true) {
          long sent = System.nanoTime();
          if (sent >= end) {
            break;
          }
          // A request counts if it completes inside the measurement window.
          long done = exchange(c, request, stream, sent, false, o);
          if (done >= measureFrom && done < end) {
            record(o, stream, sent, done, c);
          }
        }
      });
    }
    for (Thread th : threads) {
      th.join();
    }
    conns.forEach(HttpConnection::close);
    Outcome all = new Outcome();
    for (Outcome o : parts) {
      all.add(o);
    }
    all.measuredNanos = end - measureFrom;
    return all;
  }

  /** One request at a time on one connection; latency from the send. Adds to {@code into}. */
  static void sequential(HttpConnection c, Target t, boolean stream, int requests, Outcome into) {
    byte[] request = stream ? t.streamRequest() : t.jsonRequest();
    for (int i = 0; i < requests; i++) {
      long sent = System.nanoTime();
      long done = exchange(c, request, stream, sent, true, into);
      if (done > 0) {
        into.measuredNanos += done - sent;
      }
    }
  }

  /**
   * Sends one request and reads the answer; records it when {@code measured}. Returns the completion time, or 0
   * on an error (which is counted and the connection reopened on the next call).
   */
  private static long exchange(HttpConnection c, byte[] request, boolean stream, long from, boolean measured,
      Outcome o) {
    HttpConnection.Result r;
    try {
      r = c.exchange(request, stream);
    } catch (IOException e) {
      c.close();
      o.error(e.getClass().getSimpleName());
      return 0;
    }
    if (r.status != 200) {
      o.error("HTTP " + r.status);
      return 0;
    }
    if (stream && r.firstDataNanos == 0) {
      o.error("stream without data");
      return 0;
    }
    if (measured) {
      if (stream) {
        o.latency.recordValue(Math.max(1, r.firstDataNanos - from));
        o.full.recordValue(Math.max(1, r.endNanos - from));
      } else {
        o.latency.recordValue(Math.max(1, r.endNanos - from));
      }
      o.ok++;
    }
    return r.endNanos;
  }

  private static void record(Outcome o, boolean stream, long sent, long done, HttpConnection c) {
    // closed loop: exchange() did not record (measured=false) because the window is decided by completion time
    o.ok++;
    if (stream) {
      o.latency.recordValue(Math.max(1, c.lastFirstData() - sent));
      o.full.recordValue(Math.max(1, done - sent));
    } else {
      o.latency.recordValue(Math.max(1, done - sent));
    }
  }

  static List<HttpConnection> connect(Target t, int n) {
    List<HttpConnection> conns = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpConnection c = new HttpConnection(t.host(), t.port(), TIMEOUT_MILLIS);
      try {
        c.connect();
      } catch (IOException e) {
        throw new IllegalStateException("cannot connect to " + t.name() + " at " + t.host() + ":" + t.port(), e);
      }
      conns.add(c);
    }
    return conns;
  }

  /** Parks until {@code deadline} (nanoTime); returns the time it woke. */
  static long waitUntil(long deadline) {
    long now;
    while ((now = System.nanoTime()) < deadline) {
      LockSupport.parkNanos(deadline - now);
    }
    return now;
  }
}
