package dev.reef.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent benchmarks, against a running Reef (started by {@code bench/run-agents-bench.sh}):
 *
 * <ol>
 *   <li>deploy to ready with the runtime already cached, and Reef's overhead over starting the same OpenClaw gateway
 *       by hand (same files, same environment) to its {@code /readyz};
 *   <li>wake to first reply: a stopped agent gets a chat, timed to the first streamed word;
 *   <li>Reef's own memory with 1,000 tenants and 1,000 stopped agents (the heap after a full collection).
 * </ol>
 *
 * Usage: {@code AgentsBench <reef url> <admin key> <reef pid> <model> <rounds> <tenants>}. It also runs the mock
 * model provider (OpenAI-style, streamed and not) that Reef's catalog points at: port in {@code BENCH_MOCK_PORT}.
 */
public final class AgentsBench {

  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  private static final Pattern STATE = Pattern.compile("\"state\":\"([a-z]+)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final String reef;
  private final String adminKey;

  private AgentsBench(String reef, String adminKey) {
    this.reef = reef;
    this.adminKey = adminKey;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("mock")) {
      mock(Integer.parseInt(args[1]));
      return;
    }
    AgentsBench bench = new AgentsBench(args[0], args[1]);
    long reefPid = Long.parseLong(args[2]);
    String model = args[3];
    int rounds = Integer.parseInt(args[4]);
    int tenants = Integer.parseInt(args[5]);
    if (rounds > 0) {
      bench.deployAndWake(model, rounds, reefPid);
    }
    if (tenants > 0) {
      bench.memory(reefPid, tenants);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void deployAndWake(String model, int rounds, long reefPid) throws Exception {
    String[] tenant = signup("agents-bench");
    String agents = "/api/v1/tenants/" + tenant[0] + "/agents";
    put("/api/v1/tenants/" + tenant[0] + "/limits", adminKey, "{\"requestsPerMinute\":100000,"
        + "\"maxConcurrentRequests\":1000,\"tokensPerMinute\":100000000,\"monthlyBudgetUsd\":1000,\"maxAgents\":10,"
        // no CPU cap, so the agent starts on the same CPUs as the one started by hand: the difference is Reef's
        + "\"agentCpuMillis\":null}");
    // Warm-up, not measured: installs the runtime if it is not cached yet, and warms Reef's code paths.
    String warm = match(ID, post(agents, tenant[1], "{\"name\":\"warm-up\",\"runtime\":\"openclaw\","
        + "\"model\":\"" + model + "\"}"));
    awaitState(agents + "/" + warm, tenant[1], 0, "running", Duration.ofMinutes(10));
    delete(agents + "/" + warm, tenant[1]);
    List<Double> deploys = new ArrayList<>();
    List<Double> byHand = new ArrayList<>();
    List<Double> wakes = new ArrayList<>();
    List<Double> restarts = new ArrayList<>();
    List<Double> warmReplies = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      String created = post(agents, tenant[1], "{\"name\":\"bench-" + round + "\",\"runtime\":\"openclaw\","
          + "\"model\":\"" + model + "\"}");
      String id = match(ID, created);
      awaitState(agents + "/" + id, tenant[1], 0, "running", Duration.ofMinutes(5));
      deploys.add(ms(t0));

      t0 = System.nanoTime();
      firstReply(agents + "/" + id + "/chat", tenant[1]);
      warmReplies.add(ms(t0));

      // The two starts of the same gateway on the same, already initialised state, in alternating order: a start
      // can find OpenClaw's compile cache and state a little warmer than the one before it did.
      stop(agents + "/" + id, tenant[1]);
      if (!byHandPossible(id, tenant[0])) {
        // Sandboxed (the default since the agent sandbox): the agent's state lives in its own disk image, mounted
        // only while it runs, so there is nothing to start by hand; the sandbox's own cost is measured by
        // bench/run-sandbox-bench.sh against the same start unsandboxed.
        restarts.add(timedStartThroughReef(agents + "/" + id, tenant[1], reefPid, round));
        stop(agents + "/" + id, tenant[1]);
      } else if (round % 2 == 0) {
        byHand.add(timedStartByHand(id, tenant[0], reefPid));
        restarts.add(timedStartThroughReef(agents + "/" + id, tenant[1], reefPid, round));
        stop(agents + "/" + id, tenant[1]);
      } else {
        restarts.add(timedStartThroughReef(agents + "/" + id, tenant[1], reefPid, round));
        stop(agents + "/" + id, tenant[1]);
        byHand.add(timedStartByHand(id, tenant[0], reefPid));
      }

      t0 = System.nanoTime();
      firstReply(agents + "/" + id + "/chat", tenant[1]);
      wakes.add(ms(t0));
      delete(agents + "/" + id, tenant[1]);
    }
    System.out.println();
    System.out.println("== agents: OpenClaw with the runtime cached, " + rounds + " rounds (ms) ==");
    System.out.printf("%-44s %10s %10s %10s%n", "measure", "median", "min", "max");
    row("deploy to ready (POST agent -> running)", deploys);
    row("same gateway started by Reef -> running", restarts);
    if (byHand.size() == restarts.size()) {
      row("same gateway started by hand -> /readyz", byHand);
      List<Double> overhead = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        overhead.add(restarts.get(i) - byHand.get(i));
      }
      row("Reef's overhead (by Reef - by hand)", overhead);
      System.out.printf("%-44s %10.0f   (mean of the rounds; the order alternates, so an advantage of going second "
          + "cancels out over an even number of rounds)%n", "Reef's overhead, mean",
          overhead.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
    } else {
      System.out.println("(no start by hand: the agents are sandboxed, their state is in a disk image of their own)");
    }
    row("wake to first reply (stopped -> 1st word)", wakes);
    row("first reply of a running agent", warmReplies);
  }

  private void stop(String agent, String key) throws Exception {
    long seq = lastSeq(agent, key);
    post(agent + "/stop", key, "");
    awaitState(agent, key, seq, "stopped", Duration.ofMinutes(1));
  }

  /** Whether the stopped agent's files are on this machine's filesystem, where a start by hand can use them. */
  private boolean byHandPossible(String agentId, String tenantId) {
    return java.nio.file.Files.exists(Path.of(System.getenv("BENCH_DATA_DIR"), "agents", tenantId, agentId, "state",
        "openclaw.json"));
  }

  private double timedStartByHand(String agentId, String tenantId, long reefPid) throws Exception {
    long cpu0 = cpuTicks(reefPid);
    double took = startByHand(agentId, tenantId);
    System.out.printf("  by hand: %.0f ms; Reef's CPU meanwhile: %d ms%n", took, (cpuTicks(reefPid) - cpu0) * 10);
    return took;
  }

  /** {@code POST .../start} until the agent's {@code running} event; prints where Reef's time and CPU went. */
  private double timedStartThroughReef(String agent, String key, long reefPid, int round) throws Exception {
    String jfr = System.getenv("BENCH_JFR");
    if (jfr != null && round == 0) {
      run("jcmd", Long.toString(reefPid), "JFR.start", "name=agent-start", "settings=profile");
    }
    long cpu0 = cpuTicks(reefPid);
    Map<String, Long> threads0 = threadTicks(reefPid);
    java.time.Instant startedAt = java.time.Instant.now();
    long seq = lastSeq(agent, key);
    long t0 = System.nanoTime();
    post(agent + "/start", key, "");
    awaitState(agent, key, seq, "running", Duration.ofMinutes(5));
    double took = ms(t0);
    System.out.printf("  through Reef: %.0f ms; Reef's CPU meanwhile: %d ms%n", took, (cpuTicks(reefPid) - cpu0) * 10);
    Map<String, Long> threads1 = threadTicks(reefPid);
    threads1.replaceAll((name, ticks) -> ticks - threads0.getOrDefault(name, 0L));
    System.out.println("    by thread (ms): " + threads1.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
        .map(e -> e.getKey() + "=" + e.getValue() * 10).toList());
    if (jfr != null && round == 0) {
      run("jcmd", Long.toString(reefPid), "JFR.stop", "name=agent-start", "filename=" + jfr);
    }
    timeline(startedAt, get(agent + "/events", key));
    return took;
  }

  /**
   * Starts the agent's own OpenClaw by hand - the files and environment Reef gave it, read back from its state
   * directory and process - and times it to {@code /readyz}. Needs the agent stopped.
   */
  private double startByHand(String agentId, String tenantId) throws Exception {
    Path dir = Path.of(System.getenv("BENCH_DATA_DIR"), "agents", tenantId, agentId);
    String config = Files.readString(dir.resolve("state").resolve("openclaw.json"));
    Matcher host = Pattern.compile("\"customBindHost\"\\s*:\\s*\"([0-9.]+)\"").matcher(config);
    Matcher port = Pattern.compile("\"port\"\\s*:\\s*(\\d+)").matcher(config);
    if (!host.find() || !port.find()) {
      throw new IllegalStateException("cannot read the address from " + config);
    }
    Path node = Path.of(System.getenv("BENCH_OPENCLAW_HOME"), "node_modules", "node", "bin", "node");
    Path entry = Path.of(System.getenv("BENCH_OPENCLAW_HOME"), "node_modules", "openclaw", "openclaw.mjs");
    ProcessBuilder builder = new ProcessBuilder("setsid", node.toString(), entry.toString(), "gateway", "run")
        .directory(dir.resolve("workspace").toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("logs").resolve("by-hand.log").toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", node.getParent() + ":/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", dir.resolve("home").toString());
    env.put("TMPDIR", dir.resolve("tmp").toString());
    env.put("OPENCLAW_STATE_DIR", dir.resolve("state").toString());
    env.put("OPENCLAW_CONFIG_PATH", dir.resolve("state").resolve("openclaw.json").toString());
    env.put("OPENCLAW_WORKSPACE_DIR", dir.resolve("workspace").toString());
    env.put("OPENCLAW_NO_AUTO_UPDATE", "1");
    env.put("OPENCLAW_DISABLE_BONJOUR", "1");
    env.put("OPENCLAW_NO_RESPAWN", "1");
    env.put("DO_NOT_TRACK", "1");
    // the config refers to its tokens in the environment; new ones at every start, as Reef does
    env.put("REEF_AGENT_TOKEN", "reef_at_" + UUID.randomUUID());
    env.put("REEF_GATEWAY_TOKEN", UUID.randomUUID().toString());
    // the heap limit Reef gives an agent of 1,536 MB (70 %), so both starts run the same V8 settings
    env.put("NODE_OPTIONS", "--max-old-space-size=1075");
    long t0 = System.nanoTime();
    Process process = builder.start();
    URI ready = URI.create("http://" + host.group(1) + ":" + port.group(1) + "/readyz");
    try {
      while (true) {
        try {
          if (HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return ms(t0);
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (!process.isAlive() || ms(t0) > 300_000) {
          throw new IllegalStateException("OpenClaw started by hand did not become ready; see by-hand.log");
        }
        Thread.sleep(100);
      }
    } finally {
      new ProcessBuilder("kill", "-TERM", "--", "-" + process.pid()).start().waitFor();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid()).start().waitFor();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** CPU ticks of each thread of a process, by thread name (threads of one name added up). */
  private static Map<String, Long> threadTicks(long pid) throws IOException {
    Map<String, Long> ticks = new java.util.HashMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
        } catch (IOException e) {
          // the thread ended
        }
      }
    }
    return ticks;
  }

  /** User plus system CPU time of a process, in clock ticks (1/100 s on Linux). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** Prints the agent's state changes since {@code since}, in ms after it: where a start through Reef spends time. */
  private static void timeline(java.time.Instant since, String events) {
    Matcher m = Pattern.compile("\"at\":\"([^\"]+)\",\"state\":\"([a-z]+)\",\"reason\":\"([^\"]*)\"")
        .matcher(events);
    StringBuilder line = new StringBuilder("  start through Reef:");
    while (m.find()) {
      java.time.Instant at = java.time.Instant.parse(m.group(1));
      if (!at.isBefore(since)) {
        line.append(String.format(" +%d ms %s (%s);", Duration.between(since, at).toMillis(), m.group(2),
            m.group(3)));
      }
    }
    System.out.println(line);
  }

  private void memory(long reefPid, int tenants) throws Exception {
    long t0 = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < tenants; i++) {
        int n = i;
        work.add(pool.submit(() -> {
          String[] t = signup("memory-" + n);
          return post("/api/v1/tenants/" + t[0] + "/agents", t[1],
              "{\"name\":\"idle\",\"runtime\":\"openclaw\",\"start\":false}");
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    }
    System.out.printf("%n== memory: %d tenants, each with one stopped agent (made in %.0f s) ==%n", tenants,
        ms(t0) / 1000);
    Thread.sleep(5000); // a few reconciler passes over all of them
    run("jcmd", Long.toString(reefPid), "GC.run");
    Thread.sleep(1000);
    String heap = run("jcmd", Long.toString(reefPid), "GC.heap_info");
    Matcher used = Pattern.compile("used (\\d+)K").matcher(heap);
    if (used.find()) {
      System.out.printf("heap used after a full GC: %.1f MiB (target: at most 512 MiB)%n",
          Long.parseLong(used.group(1)) / 1024.0);
    }
    String status = Files.readString(Path.of("/proc", Long.toString(reefPid), "status"));
    Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
    if (rss.find()) {
      System.out.printf("resident memory of the Reef process: %.1f MiB%n", Long.parseLong(rss.group(1)) / 1024.0);
    }
    System.out.println(heap.lines().filter(l -> !l.isBlank()).limit(4).reduce("", (a, b) -> a + "  " + b + "\n"));
  }

  // ---------------------------------------------------------------------------------------------------------------

  private String[] signup(String name) {
    String unique = name + "-" + System.nanoTime();
    String body = post("/api/v1/signup", null, "{\"email\":\"" + unique + "@bench.test\",\"password\":"
        + "\"bench-password-long-enough\",\"tenantName\":\"" + unique + "\"}");
    return new String[] {match(Pattern.compile("\"tenantId\":\"([^\"]+)\""), body),
        match(Pattern.compile("\"apiKey\":\"([^\"]+)\""), body)};
  }

  /** The sequence number of the agent's latest event (0 if none). */
  private long lastSeq(String path, String key) {
    Matcher m = Pattern.compile("\"seq\":(\\d+)").matcher(get(path + "/events?limit=1", key));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /**
   * Waits for the agent to reach {@code state} in an event after {@code afterSeq}, following its events as they
   * happen ({@code GET .../events?follow=true}): no polling, so the wait costs Reef next to nothing and sees the
   * change the moment it is recorded.
   */
  private void awaitState(String path, String key, long afterSeq, String state, Duration timeout) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(reef + path + "/events?follow=true&after=" + afterSeq))
        .header("Authorization", "Bearer " + key).timeout(timeout).GET().build();
    HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("following the events answered " + response.statusCode() + ": "
          + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    String last = "";
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.startsWith("data:")) {
          continue;
        }
        last = line;
        Matcher m = STATE.matcher(line);
        if (m.find()) {
          if (m.group(1).equals(state)) {
            return;
          }
          if (m.group(1).equals("failed")) {
            throw new IllegalStateException("the agent failed: " + line);
          }
        }
      }
    }
    throw new IllegalStateException("the events ended before " + state + ": " + last);
  }


  /** Sends a chat and returns when the first delta event arrives (the rest is read and discarded). */
  private void firstReply(String path, String key) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(reef + path)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
        .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"Say hello\"}")).build();
    HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String event = "";
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
          if (event.equals("delta")) {
            return;
          }
          if (event.equals("error")) {
            throw new IllegalStateException("chat failed: " + in.readLine());
          }
        }
      }
    }
    throw new IllegalStateException("the chat ended without a reply");
  }

  private String get(String path, String key) {
    return send(HttpRequest.newBuilder(URI.create(reef + path)).header("Authorization", "Bearer " + key).GET());
  }

  private String post(String path, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(reef + path)).header("Content-Type", "application/json")
        .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b);
  }

  private void put(String path, String key, String body) {
    send(HttpRequest.newBuilder(URI.create(reef + path)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  private void delete(String path, String key) {
    send(HttpRequest.newBuilder(URI.create(reef + path)).header("Authorization", "Bearer " + key).DELETE());
  }

  private static String send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 400) {
        throw new IllegalStateException(response.statusCode() + " " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  private static String match(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no " + pattern + " in " + text);
    }
    return m.group(1);
  }

  private static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static void row(String name, List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    System.out.printf("%-44s %10.0f %10.0f %10.0f%n", name, sorted.get(sorted.size() / 2), sorted.getFirst(),
        sorted.getLast());
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A model provider that answers every chat completion at once, streamed or not, with usage. */
  private static void mock(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", AgentsBench::answer);
    server.start();
    System.out.println("mock provider on " + port);
  }

  private static void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean stream = body.replace(" ", "").contains("\"stream\":true");
      OutputStream out = exchange.getResponseBody();
      if (stream) {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        for (String word : new String[] {"Hello", " from", " the", " bench", " model."}) {
          out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word + "\"},\"finish_reason\":null}]}\n\n")
              .getBytes(StandardCharsets.UTF_8));
        }
        out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5,\"total_tokens\":105}}\n\ndata: [DONE]\n\n")
            .getBytes(StandardCharsets.UTF_8));
      } else {
        byte[] json = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
            + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the bench model.\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5,"
            + "\"total_tokens\":105}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, json.length);
        out.write(json);
      }
    }
  }
}
