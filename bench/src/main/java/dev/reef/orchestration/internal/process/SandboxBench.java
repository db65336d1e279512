package dev.reef.orchestration.internal.process;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEgress;
import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.Installation;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.RuntimeContext;
import dev.reef.orchestration.internal.AgentHttp;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.TestInternet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The sandbox's costs, measured with Reef's own process driver on this machine, next to the same work unsandboxed
 * ({@code bench/run-sandbox-bench.sh} starts Reef, a mock model provider and this):
 *
 * <ol>
 *   <li><b>start</b>: from {@code start()} to the agent's first answer on {@code /readyz}, for the same tiny agent
 *       (socat answering 200) sandboxed and not; interleaved rounds;
 *   <li><b>llm</b>: sequential LLM calls to Reef's proxy (non-streamed, mock provider) from this machine over TCP,
 *       and from inside a sandbox through its door (socat, Unix socket, Reef's Tomcat) - the same client program,
 *       run in the sandbox's network namespace with {@code nsenter};
 *   <li><b>egress</b>: requests and a large download to a host in a network namespace of its own, directly and
 *       through Reef's egress proxy from inside a sandbox;
 *   <li><b>noisy</b>: tenant B's agent answers chats (its model calls go through Reef's proxy) while tenant A's
 *       agent burns its CPU, fills its memory, disk and process limits and hammers the proxy with its tenant's key,
 *       against the same chats with A quiet.
 * </ol>
 *
 * Usage: {@code SandboxBench <reef url> <admin key> <reef data dir> <work dir> <model> <rounds>}; or
 * {@code SandboxBench client <url> <key> <model> <n>}, the LLM client.
 */
public final class SandboxBench {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** The tiny agent: socat answering every connection with the file {@code r} of its state directory. */
  private static final String RESPONDER = "socat TCP-LISTEN:%d,bind=%s,reuseaddr,fork SYSTEM:'cat %s/r'";
  private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
      .getBytes(StandardCharsets.US_ASCII);

  private final String reef;
  private final String adminKey;
  private final Path reefDataDir;
  private final Path work;
  private final String model;
  private final int rounds;
  private final AgentHttp agentHttp = new AgentHttp(Duration.ofSeconds(5));
  private final Map<TenantId, Long> uids = new ConcurrentHashMap<>();
  private final AtomicLong nextUid = new AtomicLong(3_900_000);

  private SandboxBench(String[] args) {
    reef = args[0];
    adminKey = args[1];
    reefDataDir = Path.of(args[2]).toAbsolutePath().normalize();
    work = Path.of(args[3]).toAbsolutePath().normalize();
    model = args[4];
    rounds = Integer.parseInt(args[5]);
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("client")) {
      client(args[1], args[2], args[3], Integer.parseInt(args[4]));
      return;
    }
    SandboxBench bench = new SandboxBench(args);
    List<String> parts = List.of(System.getenv().getOrDefault("BENCH_PARTS", "start,llm,egress,noisy").split(","));
    System.out.println("# Sandbox benchmark, " + java.time.Instant.now() + ", kernel "
        + Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim() + ", " + Runtime.getRuntime()
        .availableProcessors() + " CPUs, " + bench.rounds + " rounds");
    if (parts.contains("start")) {
      bench.startOverhead();
    }
    if (parts.contains("llm")) {
      bench.llmOverhead();
    }
    if (parts.contains("egress")) {
      bench.egress();
    }
    if (parts.contains("noisy")) {
      bench.noisyNeighbour();
    }
    bench.agentHttp.close();
    System.exit(0);
  }

  // --- start -----------------------------------------------------------------------------------------------------

  private void startOverhead() throws Exception {
    ProcessComputeDriver unconfined = driver("off", Sandboxing.off());
    ProcessComputeDriver sandboxed = driver("on", sandboxing("on", null, AgentEgress.NONE));
    AgentSpec spec = new AgentSpec(TenantId.random(), UUID.randomUUID(), "b", "bench", "1", 256, 1000, 0, 256, 64);
    List<Long> off = new ArrayList<>();
    List<Long> on = new ArrayList<>();
    int samples = Math.max(10, rounds * 4);
    for (int i = 0; i < samples + 2; i++) { // the first two of each are warm-up (and the first makes its disk)
      boolean sandboxFirst = i % 2 == 0;
      for (ProcessComputeDriver d : sandboxFirst ? List.of(sandboxed, unconfined) : List.of(unconfined, sandboxed)) {
        long micros = startOnce(d, spec);
        if (i >= 2) {
          (d == sandboxed ? on : off).add(micros);
        }
      }
    }
    unconfined.destroy(unconfined.create(spec));
    sandboxed.destroy(sandboxed.create(spec));
    System.out.println();
    System.out.println("## start: create() + start() to the first 200 on /readyz, as the reconciler starts a stopped "
        + "agent; the same agent (socat) sandboxed and not, " + samples + " starts each, interleaved");
    System.out.println(row("unsandboxed", off, "ms"));
    System.out.println(row("sandboxed", on, "ms"));
    System.out.printf(Locale.ROOT, "sandbox start overhead, median: %+.1f ms%n",
        (percentile(on, 50) - percentile(off, 50)) / 1000.0);
  }

  /** One start of a stopped agent, timed from create() to its first answer; then it is stopped again. */
  private long startOnce(ProcessComputeDriver driver, AgentSpec spec) {
    long started = System.nanoTime();
    Placement p = driver.create(spec);
    String command = String.format(Locale.ROOT, RESPONDER, p.listenPort(), p.listenHost(), p.path("state"));
    Placement running = driver.start(p, new Launch(List.of("/bin/sh", "-c", "exec " + command), Map.of(),
        Map.of("r", RESPONSE)));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!agentHttp.answers(running, "/readyz", Duration.ofSeconds(1))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the tiny agent did not answer within 30 s: " + driver.observe(running));
      }
      sleep(1);
    }
    long micros = (System.nanoTime() - started) / 1000;
    driver.stop(running, Duration.ofSeconds(5));
    return micros;
  }

  // --- llm ---------------------------------------------------------------------------------------------------------

  private void llmOverhead() throws Exception {
    String key = tenantKey("llm", true);
    int n = 5000;
    ProcessComputeDriver driver = driver("llm", sandboxing("llm", reefLlmSocket(), AgentEgress.NONE));
    Placement box = driver.start(driver.create(spec(TenantId.random(), 512)),
        new Launch(List.of("sleep", "100000"), Map.of(), Map.of()));
    try {
      llmRuns(box, key, n);
    } finally {
      driver.destroy(box);
    }
  }

  private void llmRuns(Placement box, String key, int n) throws Exception {
    long inside = insideNetworkOf(box);
    System.out.println();
    System.out.println("## llm: sequential non-streamed chat completions to Reef's proxy (mock provider), " + n
        + " calls per run, the same client JVM; " + rounds + " runs, alternating");
    runClient(List.of(), reef + "/v1", key, n); // Reef's JIT warms up on this, before anything is measured
    List<Double> deltas = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<String> nsenter = List.of("nsenter", "-t", Long.toString(inside), "-n");
      String door = "http://127.0.0.1:" + Bubblewrap.LLM_PORT + "/v1";
      String host;
      String sandbox;
      if (r % 2 == 0) {
        host = runClient(List.of(), reef + "/v1", key, n);
        sandbox = runClient(nsenter, door, key, n);
      } else {
        sandbox = runClient(nsenter, door, key, n);
        host = runClient(List.of(), reef + "/v1", key, n);
      }
      System.out.println("run " + (r + 1) + "  host:    " + host);
      System.out.println("run " + (r + 1) + "  sandbox: " + sandbox);
      deltas.add(median(sandbox) - median(host));
    }
    System.out.printf(Locale.ROOT, "added by the sandbox's door, median per run: %s ms%n", deltas.stream()
        .map(d -> String.format(Locale.ROOT, "%+.3f", d)).toList());
  }

  /** The LLM client: n sequential calls; prints p50/p90/p99 in ms. */
  private static void client(String base, String key, String model, int n) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":16,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build();
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < n + n / 5; i++) {
      long t = System.nanoTime();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      long took = (System.nanoTime() - t) / 1000;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
      }
      if (i >= n / 5) { // the first fifth warms up
        micros.add(took);
      }
    }
    System.out.println(row("", micros, "ms").trim());
  }

  private String runClient(List<String> prefix, String base, String key, int n) throws Exception {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), SandboxBench.class.getName(), "client", base, key, model,
        Integer.toString(n)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("client failed: " + out);
    }
    return out.lines().reduce((a, b) -> b).orElse("");
  }

  // --- egress ------------------------------------------------------------------------------------------------------

  private void egress() throws Exception {
    TestInternet internet = TestInternet.get();
    AgentEgress proxy = dev.reef.egress.internal.EgressBench.proxyAllowing(internet.address(), TestInternet.PORT);
    ProcessComputeDriver driver = driver("egress", sandboxing("egress", null, proxy));
    Placement box = driver.start(driver.create(spec(TenantId.random(), 512)),
        new Launch(List.of("sleep", "100000"), Map.of(), Map.of()));
    try {
      egressRuns(internet, box);
    } finally {
      driver.destroy(box);
    }
  }

  private void egressRuns(TestInternet internet, Placement box) throws Exception {
    long inside = insideNetworkOf(box);
    int n = Math.max(500, rounds * 200);
    String small = internet.url("/");
    String big = internet.url("/bytes?n=" + 200_000_000);
    System.out.println();
    System.out.println("## egress: a host in a network namespace of its own, directly and through Reef's egress "
        + "proxy from a sandbox (" + n + " sequential requests, a connection each, the first tenth not counted; "
        + "a 200 MB download); " + rounds + " runs");
    for (int r = 0; r < rounds; r++) {
      String direct = curlLoop(List.of(), small, n, null);
      String proxied = curlLoop(List.of("nsenter", "-t", Long.toString(inside), "-n"), small, n,
          "http://127.0.0.1:" + Bubblewrap.EGRESS_PORT);
      System.out.println("run " + (r + 1) + "  latency direct:  " + direct);
      System.out.println("run " + (r + 1) + "  latency proxied: " + proxied);
      System.out.println("run " + (r + 1) + "  200 MB direct:  " + download(List.of(), big, null));
      System.out.println("run " + (r + 1) + "  200 MB proxied: " + download(List.of("nsenter", "-t",
          Long.toString(inside), "-n"), big, "http://127.0.0.1:" + Bubblewrap.EGRESS_PORT));
    }
  }

  /** n sequential small requests in one curl (one connection per request, as agents' tools mostly do). */
  private String curlLoop(List<String> prefix, String url, int n, String proxy) throws Exception {
    List<String> command = new ArrayList<>(prefix);
    // a connection per request on both paths: the proxy closes each plain-HTTP exchange (so each is checked)
    command.addAll(List.of("curl", "-s", "-w", "%{time_total}\\n", "-H", "Connection: close"));
    command.addAll(proxy == null ? List.of("--noproxy", "*") : List.of("--proxy", proxy));
    for (int i = 0; i < n; i++) {
      command.addAll(List.of("-o", "/dev/null", url)); // -o applies to the URL after it only
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<Long> micros = new ArrayList<>();
    for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        micros.add((long) (Double.parseDouble(line.trim()) * 1_000_000));
      }
    }
    p.waitFor();
    return row("", micros.subList(Math.min(micros.size(), n / 10), micros.size()), "ms").trim();
  }

  private String download(List<String> prefix, String url, String proxy) throws Exception {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}"));
    command.addAll(proxy == null ? List.of("--noproxy", "*") : List.of("--proxy", proxy));
    command.add(url);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
    p.waitFor();
    return String.format(Locale.ROOT, "%.0f MB/s (%s bytes)", Double.parseDouble(out[0]) / 1e6, out[1]);
  }

  // --- noisy neighbour ---------------------------------------------------------------------------------------------

  private void noisyNeighbour() throws Exception {
    String keyA = tenantKey("noisy-a", false);
    String keyB = tenantKey("quiet-b", true);
    ProcessComputeDriver driver = driver("noisy", sandboxing("noisy", reefLlmSocket(), AgentEgress.NONE));
    FakeRuntime fake = new FakeRuntime();
    Installation installation = fake.install(FakeRuntime.VERSION, line -> { });
    long cpuA = Long.parseLong(System.getenv().getOrDefault("BENCH_NOISY_CPU_MILLIS", "500"));
    Placement a = driver.create(new AgentSpec(TenantId.random(), UUID.randomUUID(), "a", "fake", "1", 512, cpuA, 0,
        128, 256));
    Placement b = driver.create(new AgentSpec(TenantId.random(), UUID.randomUUID(), "b", "fake", "1", 512, 1000, 0,
        512, 256));
    a = driver.start(a, fake.launch(installation, new RuntimeContext(a, keyA, "gw-a", model, 512)));
    b = driver.start(b, fake.launch(installation, new RuntimeContext(b, keyB, "gw-b", model, 512)));
    for (Placement p : List.of(a, b)) {
      while (!agentHttp.answers(p, "/readyz", Duration.ofSeconds(1))) {
        sleep(50);
      }
    }
    int chats = Math.max(300, rounds * 100);
    chats(b, chats); // B's JIT, and Reef's, warm up before anything is measured
    System.out.println();
    System.out.println("## noisy neighbour: tenant B's agent answers " + chats + " chats (each one model call "
        + "through Reef's proxy), A quiet, then A at its limits (CPU " + cpuA + " millis, 512 MB, 128 processes, "
        + "256 MB disk) and hammering Reef's proxy from inside its sandbox with its tenant's key (600 requests a "
        + "minute allowed, the rest refused); noise: " + System.getenv().getOrDefault("BENCH_NOISE", "all")
        + "; B: 1000 millis; " + rounds + " runs");
    for (int r = 0; r < rounds; r++) {
      List<Long> quiet = chats(b, chats);
      AtomicBoolean noisy = new AtomicBoolean(true);
      List<Thread> noise = startNoise(a, keyA, noisy);
      sleep(3000); // let A reach its limits
      List<Long> loud = chats(b, chats);
      noisy.set(false);
      sleep(1000);
      a = restartIfNeeded(driver, fake, installation, a, keyA); // its stop ends all of A's noise
      for (Thread t : noise) {
        t.join(60_000);
      }
      System.out.println("run " + (r + 1) + "  B, A quiet: " + row("", quiet, "ms").trim());
      System.out.println("run " + (r + 1) + "  B, A noisy: " + row("", loud, "ms").trim());
      System.out.printf(Locale.ROOT, "run %d  B's p50 %+.1f %%, p99 %+.1f %%%n", r + 1,
          100.0 * (percentile(loud, 50) - percentile(quiet, 50)) / percentile(quiet, 50),
          100.0 * (percentile(loud, 99) - percentile(quiet, 99)) / percentile(quiet, 99));
    }
    driver.destroy(a);
    driver.destroy(b);
  }

  private List<Long> chats(Placement b, int n) throws Exception {
    List<Long> micros = new ArrayList<>();
    byte[] body = ("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      try (AgentHttp.Streamed answer = agentHttp.post(b, "/v1/chat/completions", Map.of("Authorization",
          "Bearer gw-b", "Content-Type", "application/json"), body, Duration.ofSeconds(30))) {
        answer.body().readAllBytes();
        if (answer.status() != 200) {
          throw new IllegalStateException("B's chat answered " + answer.status());
        }
      }
      micros.add((System.nanoTime() - t) / 1000);
    }
    return micros;
  }

  /**
   * A at its limits, everything run inside its sandbox (so under its limits, as a real agent's work is): four CPU
   * burners, memory past its limit, its disk filled, forks to its process limit, and its LLM door hammered.
   */
  private List<Thread> startNoise(Placement a, String keyA, AtomicBoolean on) {
    String hammer = "while :; do curl -s -o /dev/null --noproxy '*' -H 'Authorization: Bearer " + keyA + "' "
        + "-H 'Content-Type: application/json' -d '{\"model\":\"" + model + "\",\"max_tokens\":16,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}' "
        + "http://127.0.0.1:" + Bubblewrap.LLM_PORT + "/v1/chat/completions; done";
    List<String> kinds = List.of(System.getenv().getOrDefault("BENCH_NOISE", "cpu,memory,disk,forks,proxy")
        .split(","));
    StringBuilder script = new StringBuilder();
    if (kinds.contains("cpu")) {
      script.append("for i in 1 2 3 4; do (while :; do :; done) & done; ");
    }
    if (kinds.contains("memory")) {
      script.append("(x=$(head -c 600000000 /dev/zero | tr '\\0' x); sleep 60) & ");
    }
    if (kinds.contains("disk")) {
      script.append("(rm -f /agent/workspace/fill; dd if=/dev/zero of=/agent/workspace/fill bs=1M count=400 "
          + "2>/dev/null; sleep 60) & ");
    }
    if (kinds.contains("proxy")) {
      script.append("for i in 1 2 3 4; do (").append(hammer).append(") >/dev/null 2>&1 & done; ");
    }
    if (kinds.contains("forks")) {
      script.append("(i=0; while [ $i -lt 200 ]; do sleep 60 & i=$((i+1)); done) >/dev/null 2>&1; ");
    }
    script.append("sleep 60");
    List<Thread> threads = new ArrayList<>();
    threads.add(Thread.ofVirtual().start(() -> {
      try (AgentHttp.Streamed ignored = agentHttp.post(a, "/debug/exec", Map.of("Authorization", "Bearer gw-a"),
          script.toString().getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(90))) {
        ignored.body().readAllBytes();
      } catch (Exception e) {
        // A is stopped when B's chats are done: that is the end of it
      }
    }));
    return threads;
  }

  private Placement restartIfNeeded(ProcessComputeDriver driver, FakeRuntime fake, Installation installation,
      Placement a, String keyA) {
    Placement stopped = driver.stop(a, Duration.ofSeconds(2));
    Placement started = driver.start(stopped, fake.launch(installation, new RuntimeContext(stopped, keyA, "gw-a",
        model, 512)));
    while (!agentHttp.answers(started, "/readyz", Duration.ofSeconds(1))) {
      sleep(50);
    }
    return started;
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  private ProcessComputeDriver driver(String name, Sandboxing sandboxing) throws IOException {
    Path data = Files.createDirectories(work.resolve(name));
    return new ProcessComputeDriver(data, () -> reef + "/v1", ProcessTable.system(),
        Cgroups.detect(Path.of("/proc/self/mounts"), "./reef-bench"), new LogRotation(10_000_000, 2), null,
        sandboxing);
  }

  private Sandboxing sandboxing(String name, Path llmSocket, AgentEgress egress) throws IOException {
    boolean root = UnixSockets.ownUid() == 0;
    Path runRoot = new SandboxProperties(null, null, null, null, null).runBase(root)
        .resolve(ProcessDriverConfiguration.shortHash(work.resolve(name).toString()));
    Files.createDirectories(runRoot);
    LlmDoor door = llmSocket == null ? new LlmDoor(runRoot.resolve("llm"))
        : new LlmDoor(llmSocket.getParent(), llmSocket.getFileName().toString());
    if (llmSocket == null) {
      door.prepare();
    }
    SandboxSupport.Status support = SandboxSupport.probe(root, 3_899_999);
    if (!support.usable()) {
      throw new IllegalStateException(support.problem().orElseThrow());
    }
    return new Sandboxing(true, support, t -> uids.computeIfAbsent(t, x -> nextUid.incrementAndGet()), runRoot, door,
        egress, AgentDisks.detect(root));
  }

  private AgentSpec spec(TenantId tenant, long memoryMb) {
    return new AgentSpec(tenant, UUID.randomUUID(), "bench", "bench", "1", memoryMb, 1000, 0, 512, 256);
  }

  /** The socket Reef's Tomcat serves agents' LLM calls on: the listening one in its door directory. */
  private Path reefLlmSocket() throws IOException {
    Path runRoot = new SandboxProperties(null, null, null, null, null).runBase(UnixSockets.ownUid() == 0)
        .resolve(ProcessDriverConfiguration.shortHash(reefDataDir.toString()));
    try (Stream<Path> sockets = Files.list(runRoot.resolve("llm"))) {
      return sockets.filter(s -> s.toString().endsWith(".sock")).filter(UnixSockets::listening).findFirst()
          .orElseThrow(() -> new IllegalStateException("Reef serves no LLM door in " + runRoot));
    }
  }

  /** A process inside the sandbox's network namespace (one of bubblewrap's outside it has forked). */
  private static long insideNetworkOf(Placement p) throws IOException {
    long outer = Long.parseLong(p.attributes().get(ProcessComputeDriver.PID));
    Path ours = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (ProcessHandle h : ProcessHandle.of(outer).orElseThrow().descendants().toList()) {
        try {
          if (!Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "ns", "net")).equals(ours)) {
            return h.pid();
          }
        } catch (IOException gone) {
          // it ended meanwhile
        }
      }
      sleep(20);
    }
    throw new IllegalStateException("no process of the sandbox is in a network namespace of its own");
  }

  /** A tenant with a fresh key; {@code generous}: limits that never get in the way. */
  private String tenantKey(String name, boolean generous) throws Exception {
    String email = name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@bench.test";
    String answer = send("POST", "/api/v1/signup", null, "{\"email\":\"" + email + "\",\"password\":\""
        + "bench-password-" + UUID.randomUUID() + "\",\"tenantName\":\"" + name + "\"}");
    String tenant = field(answer, "tenantId");
    String limits = generous
        ? "{\"requestsPerMinute\":1000000,\"tokensPerMinute\":1000000000,\"maxConcurrentRequests\":1000,"
            + "\"monthlyBudgetUsd\":100000}"
        : "{\"requestsPerMinute\":600,\"maxConcurrentRequests\":4,\"monthlyBudgetUsd\":100000}";
    send("PUT", "/api/v1/tenants/" + tenant + "/limits", adminKey, limits);
    return field(answer, "apiKey");
  }

  private String send(String method, String path, String key, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(reef + path))
        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private static String field(String json, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"")
        .matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  static String row(String label, List<Long> micros, String unit) {
    return String.format(Locale.ROOT, "%-12s p50 %8.3f  p90 %8.3f  p99 %8.3f  max %8.3f %s  (n=%d)", label,
        percentile(micros, 50) / 1000.0, percentile(micros, 90) / 1000.0, percentile(micros, 99) / 1000.0,
        percentile(micros, 100) / 1000.0, unit, micros.size());
  }

  static double percentile(List<Long> values, double p) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** The p50 of a printed row, in ms. */
  private static double median(String row) {
    String[] parts = row.trim().split("\\s+");
    return Double.parseDouble(parts[Arrays.asList(parts).indexOf("p50") + 1]);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
