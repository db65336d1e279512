package dev.reef.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Something to send chat completions to: the mock itself (the baseline) or a proxy in front of it. Requests are
 * built once, as bytes; every target gets the same JSON body apart from the model name.
 */
record Target(String name, String host, int port, byte[] jsonRequest, byte[] streamRequest, long pid,
    boolean baseline) {

  static Target fromProperties(String name, Properties p) {
    String prefix = "target." + name + ".";
    String host = p.getProperty(prefix + "host", "127.0.0.1");
    int port = Integer.parseInt(required(p, prefix + "port"));
    String path = p.getProperty(prefix + "path", "/v1/chat/completions");
    String streamPath = p.getProperty(prefix + "streamPath", path);
    String model = p.getProperty(prefix + "model", "gpt-4o-mini");
    String streamModel = p.getProperty(prefix + "streamModel", model);
    List<String> headers = headers(p.getProperty(prefix + "headers", ""));
    List<String> streamHeaders = headers(p.getProperty(prefix + "streamHeaders", p.getProperty(prefix + "headers", "")));
    long pid = Long.parseLong(p.getProperty(prefix + "pid", "0"));
    boolean baseline = Boolean.parseBoolean(p.getProperty(prefix + "baseline", "false"));
    return new Target(name, host, port,
        request(host, port, path, headers, jsonBody(model)),
        request(host, port, streamPath, streamHeaders, streamBody(streamModel)), pid, baseline);
  }

  /** Extra request headers, separated by '|'. */
  private static List<String> headers(String spec) {
    List<String> headers = new ArrayList<>();
    for (String h : spec.split("\\|")) {
      if (!h.isBlank()) {
        headers.add(h.trim());
      }
    }
    return headers;
  }

  static String jsonBody(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a terse assistant.\"},"
        + "{\"role\":\"user\",\"content\":\"Say hello to the benchmark in five words.\"}],\"max_tokens\":32}";
  }

  static String streamBody(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a terse assistant.\"},"
        + "{\"role\":\"user\",\"content\":\"Say hello to the benchmark in five words.\"}],\"max_tokens\":32,"
        + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
  }

  static byte[] request(String host, int port, String path, List<String> headers, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    sb.append("POST ").append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(host).append(':').append(port).append("\r\n");
    sb.append("Content-Type: application/json\r\n");
    sb.append("Content-Length: ").append(bytes.length).append("\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + bytes.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(bytes, 0, all, head.length, bytes.length);
    return all;
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing " + key + " in the bench configuration");
    }
    return v;
  }

  /** Resident memory of the target's process in MiB, or -1 if unknown. */
  long rssMiB() {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  /** Process CPU time (user + system) in milliseconds, or -1 if unknown. */
  long cpuMillis() {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
      return cpuTicks(stat) * 10; // USER_HZ = 100 on Linux
    } catch (Exception e) {
      return -1;
    }
  }

  /** User plus system CPU ticks from a process's or thread's {@code stat} line (fields 14 and 15). */
  private static long cpuTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * CPU time (ms) of the target's JIT compiler threads ({@code C1/C2 CompilerThread*}), or -1 if the target is not a
   * JVM (or unknown). A JVM whose compilers are still busy is still being warmed up: its figures would mix
   * interpreted and compiled code.
   */
  long jitCpuMillis() {
    if (pid <= 0) {
      return -1;
    }
    long ticks = 0;
    boolean jvm = false;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
        try {
          if (!java.nio.file.Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
            continue;
          }
          ticks += cpuTicks(java.nio.file.Files.readString(task.resolve("stat")));
          jvm = true;
        } catch (java.io.IOException threadEnded) {
          // compiler threads come and go with the JVM's demand; one that ended has nothing more to add
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return jvm ? ticks * 10 : -1;
  }

  /** CPU time (ms) all CPUs spent busy since boot, from /proc/stat, or -1. */
  static long machineBusyMillis() {
    try {
      String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).getFirst().trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
        busy += Long.parseLong(f[i]);
      }
      return busy * 10;
    } catch (Exception e) {
      return -1;
    }
  }

  /** CPU time (ms) of this load generator. */
  static long selfCpuMillis() {
    return new Target("self", "", 0, new byte[0], new byte[0], ProcessHandle.current().pid(), false).cpuMillis();
  }
}
