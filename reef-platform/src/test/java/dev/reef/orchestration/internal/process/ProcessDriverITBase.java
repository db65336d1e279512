package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.RunningAgentContract;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.testing.Api;
import dev.reef.testing.FakeRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process driver against real processes on this machine, sandboxed or not ({@link ProcessComputeDriverIT},
 * {@link UnconfinedProcessDriverIT}): the compute driver contract, and what only this driver can show.
 */
abstract class ProcessDriverITBase extends RunningAgentContract {

  private static final ProcessTable PROCESSES = ProcessTable.system();
  /** A parent group of its own, so tests never touch a real Reef's groups on the same machine. */
  private static final Cgroups CGROUPS = Cgroups.detect(Path.of("/proc/self/mounts"), "./reef-it");

  @TempDir
  Path dataDir;
  private final List<Process> unrelated = new ArrayList<>();
  private LogRotation rotation = new LogRotation(1024 * 1024, 3);

  /** The sandbox the drivers of this test get; {@link Sandboxing#off()} for none. */
  protected abstract Sandboxing sandboxing();

  protected boolean sandboxed() {
    return sandboxing().on();
  }

  @Override
  protected ComputeDriver newDriver() {
    return new ProcessComputeDriver(dataDir, proxy::openAiBaseUrl, PROCESSES, CGROUPS, rotation, null,
        sandboxing());
  }

  @AfterEach
  void endUnrelated() {
    unrelated.forEach(Process::destroyForcibly);
  }

  /** The agent's directory on this machine. */
  protected Path agentDir(Placement p) {
    return dataDir.toAbsolutePath().resolve("agents").resolve(p.tenantId().toString())
        .resolve(p.agentId().toString());
  }

  /** One of the agent's own directories ({@code state}, {@code workspace}, ...) as this machine sees it. */
  protected Path hostPath(Placement p, String name) {
    return sandboxed() ? agentDir(p).resolve(ProcessComputeDriver.FILES).resolve(name) : Path.of(p.path(name));
  }

  protected Path logFile(Placement p) {
    return agentDir(p).resolve("logs").resolve(ProcessComputeDriver.LOG_FILE);
  }

  @Override
  protected void killAgentProcess(Placement running) {
    ProcessHandle.of(pid(running, ProcessComputeDriver.PID)).orElseThrow().destroyForcibly();
  }

  @Override
  protected Placement pointingAtUnrelated(Placement placement) {
    Process other = startUnrelated();
    long startTicks = PROCESSES.stat(other.pid()).orElseThrow().startTicks();
    return withRun(placement, other.pid(), startTicks + 7, PROCESSES.bootId());
  }

  /** A process in a session of its own, as an agent's wrapper is, that is none of the driver's business. */
  private Process startUnrelated() {
    try {
      Process other = new ProcessBuilder("setsid", "sleep", "1000").start();
      unrelated.add(other);
      await().until(() -> PROCESSES.stat(other.pid()).map(s -> s.command().equals("sleep")).orElse(false));
      return other;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Placement withRun(Placement placement, long pid, long startTicks, String bootId) {
    Map<String, String> attributes = new HashMap<>(placement.attributes());
    attributes.put(ProcessComputeDriver.PID, Long.toString(pid));
    attributes.put(ProcessComputeDriver.PID_START, Long.toString(startTicks));
    attributes.put(ProcessComputeDriver.PGID, Long.toString(pid));
    attributes.put(ProcessComputeDriver.PGID_START, Long.toString(startTicks));
    attributes.put(ProcessComputeDriver.BOOT_ID, bootId);
    return placement.withAttributes(attributes);
  }

  @Override
  protected boolean unrelatedAlive() {
    return unrelated.stream().allMatch(Process::isAlive);
  }

  @Override
  protected Set<Long> agentProcesses(Placement running) {
    Set<Long> pids = new HashSet<>();
    PROCESSES.group(pid(running, ProcessComputeDriver.PGID)).forEach(s -> pids.add(s.pid()));
    String memoryGroup = running.attributes().get(ProcessComputeDriver.CGROUP_MEMORY);
    if (memoryGroup != null) {
      pids.addAll(Cgroups.members(Path.of(memoryGroup)));
    }
    return pids;
  }

  @Override
  protected Set<Long> alive(Set<Long> processes) {
    Set<Long> alive = new HashSet<>();
    processes.forEach(pid -> PROCESSES.stat(pid).filter(ProcStat::alive).ifPresent(s -> alive.add(pid)));
    return alive;
  }

  @Override
  protected void assertPrivate(Placement placement) {
    Path agent = agentDir(placement);
    List<Path> dirs = new ArrayList<>(List.of(agent.getParent().getParent(), agent.getParent(), agent));
    for (String name : List.of("state", "workspace", "home", "tmp")) {
      dirs.add(hostPath(placement, name));
    }
    try {
      for (Path dir : dirs) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).as(dir.toString())
            .isEqualTo("rwx------");
      }
      Path config = hostPath(placement, "state").resolve(FakeRuntime.CONFIG_FILE);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
      if (sandboxed()) {
        // the agent's own files belong to its uid, which is its tenant's and nobody else's
        String uid = placement.attributes().get(ProcessComputeDriver.UID);
        for (Path own : List.of(hostPath(placement, "state"), hostPath(placement, "workspace"), config)) {
          assertThat(Files.getAttribute(own, "unix:uid").toString()).as(own.toString()).isEqualTo(uid);
        }
        assertThat(Files.getAttribute(agent, "unix:uid")).isEqualTo(Files.getAttribute(dataDir, "unix:uid"));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected boolean anythingLeft(Placement placement) {
    Path agent = agentDir(placement);
    return Files.exists(agent) || Files.exists(agent.getParent())
        || sandboxed() && Files.exists(sandboxing().agentSockets(placement.agentId()))
        || Stream.of(ProcessComputeDriver.CGROUP_MEMORY, ProcessComputeDriver.CGROUP_CPU)
            .map(placement.attributes()::get).anyMatch(g -> g != null && Files.exists(Path.of(g)));
  }

  private static long pid(Placement placement, String attribute) {
    return Long.parseLong(placement.attributes().get(attribute));
  }

  // --- only the process driver -------------------------------------------------------------------------------------

  @Test
  void placement_survivesAJsonRoundTrip_andAFreshDriverFindsTheAgentFromIt() {
    Placement p = startFakeAgent(create());

    Placement stored = Api.JSON.readValue(Api.JSON.writeValueAsString(p), Placement.class);

    assertThat(stored).isEqualTo(p);
    assertThat(newDriver().observe(stored)).isInstanceOf(Observed.Running.class);
  }

  @Test
  void agent_outlivesTheReefThatStartedIt_andTheNextReefFindsAndStopsIt() throws Exception {
    Process reef = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), DyingReef.class.getName(),
        dataDir.toString(), proxy.openAiBaseUrl(), "./reef-it", Boolean.toString(sandboxed()))
        .redirectError(dataDir.resolve("dying-reef.err").toFile()).start();
    unrelated.add(reef);
    // its log lines come first; the placement is the line that is JSON
    var out = new java.io.BufferedReader(new java.io.InputStreamReader(reef.getInputStream()));
    String line = out.readLine();
    while (line != null && !line.startsWith("{")) {
      line = out.readLine();
    }
    assertThat(line).as("the placement, printed by " + DyingReef.class.getSimpleName()).isNotNull();
    Placement p = Api.JSON.readValue(line, Placement.class);
    trackForCleanup(p);
    awaitReady(p);

    reef.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, nothing of it left

    assertThat(get(p, "/readyz", null).status()).isEqualTo(200);
    assertThat(driver().observe(p)).isInstanceOf(Observed.Running.class);
    killAgentProcess(p);
    await().atMost(Duration.ofSeconds(10)).until(() -> driver().observe(p) instanceof Observed.Exited);
    assertThat(((Observed.Exited) driver().observe(p)).reason()).isEqualTo("killed by signal 9 (SIGKILL)");
  }

  @Test
  void placementFromAnotherBoot_isNotAdopted_evenWithTheRightStartTime() {
    Placement p = driver().stop(startFakeAgent(create()), GRACE);
    Process other = startUnrelated();

    Placement fromOtherBoot = withRun(p, other.pid(), PROCESSES.stat(other.pid()).orElseThrow().startTicks(),
        "another-boot");

    assertThat(driver().observe(fromOtherBoot)).isInstanceOf(Observed.Missing.class);
    driver().stop(fromOtherBoot, Duration.ofMillis(200));
    assertThat(other.isAlive()).isTrue();
  }

  @Test
  void start_writesLaunchFilesPrivately_andRefusesOnesOutsideTheStateDirectory() throws IOException {
    Placement p = create();
    Placement started = driver().start(p, new Launch(List.of("sleep", "1000"), Map.of(),
        Map.of("config/app.json", "{}".getBytes(), "top.txt", "x".getBytes())));

    Path state = hostPath(p, "state");
    assertThat(Files.readString(state.resolve("config/app.json"))).isEqualTo("{}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("top.txt"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("config"))))
        .isEqualTo("rwx------");
    Placement stopped = driver().stop(started, GRACE);
    assertThatThrownBy(() -> driver().start(stopped, new Launch(List.of("true"), Map.of(),
        Map.of("../home/.profile", "x".getBytes())))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> driver().start(stopped, new Launch(List.of("true"), Map.of(),
        Map.of("/etc/evil", "x".getBytes())))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void destroy_removesOnlyRealControlGroups_notADirectoryATamperedPlacementNames() throws IOException {
    Placement p = create();
    Path decoy = Files.createDirectories(dataDir.resolve("elsewhere").resolve(p.agentId().toString()));
    Map<String, String> attributes = new HashMap<>(p.attributes());
    attributes.put(ProcessComputeDriver.CGROUP_MEMORY, decoy.toString());

    driver().destroy(p.withAttributes(attributes));

    assertThat(decoy).isDirectory();
  }

  @Test
  void start_commandThatDoesNotExist_isExitedWith127() {
    Placement p = driver().start(create(), new Launch(List.of("/no/such/program"), Map.of(), Map.of()));

    await().atMost(Duration.ofSeconds(5)).until(() -> driver().observe(p) instanceof Observed.Exited);
    assertThat(driver().observe(p)).isEqualTo(new Observed.Exited(127, "exited with code 127"));
  }

  @Test
  void memory_isLimitedByTheAgentsControlGroup_whereTheMachineAllows() throws IOException {
    Placement p = driver().start(create(32), shell("x=0123456789abcdef; while :; do x=\"$x$x\"; done"));
    String enforcement = p.attributes().get(ProcessComputeDriver.MEMORY_ENFORCEMENT);
    Assumptions.assumeFalse(enforcement.equals("none"), "memory limits are not enforceable here: "
        + CGROUPS.describe());

    Path group = Path.of(p.attributes().get(ProcessComputeDriver.CGROUP_MEMORY));
    String limitFile = enforcement.equals("cgroup-v1") ? "memory.limit_in_bytes" : "memory.max";
    assertThat(Files.readString(group.resolve(limitFile)).trim()).isEqualTo(Long.toString(32L * 1024 * 1024));
    await().atMost(Duration.ofSeconds(30)).until(() -> driver().observe(p) instanceof Observed.Exited);
    Observed.Exited exited = (Observed.Exited) driver().observe(p);
    assertThat(exited.exitCode()).isEqualTo(137);
    assertThat(exited.reason()).isEqualTo("killed by signal 9 (SIGKILL): out of memory, it reached its limit of 32 MB");
  }

  @Test
  void cpu_isLimitedByTheAgentsControlGroup_whereTheMachineAllows_untilItStops() throws IOException {
    Placement p = driver().start(create(), shell("sleep 1000"));
    String enforcement = p.attributes().get(ProcessComputeDriver.CPU_ENFORCEMENT);
    Assumptions.assumeFalse(enforcement.equals("none"), "CPU limits are not enforceable here: "
        + CGROUPS.describe());

    Path group = Path.of(p.attributes().get(ProcessComputeDriver.CGROUP_CPU));
    if (enforcement.equals("cgroup-v1")) {
      assertThat(Files.readString(group.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("10000");
      assertThat(Files.readString(group.resolve("cpu.cfs_period_us")).trim()).isEqualTo("10000");
    } else {
      assertThat(Files.readString(group.resolve("cpu.max")).trim()).isEqualTo("10000 10000");
    }
    assertThat(Cgroups.members(group)).contains(pid(p, ProcessComputeDriver.PID));

    driver().stop(p, GRACE);
    assertThat(group).as("a stopped agent leaves no control group behind").doesNotExist();
    assertThat(Path.of(p.attributes().get(ProcessComputeDriver.CGROUP_MEMORY))).doesNotExist();
  }

  @Test
  void logs_areRotatedWhileTheAgentWrites_andFollowCarriesOn() throws Exception {
    rotation = new LogRotation(4096, 2);
    Placement p = driver().start(create(),
        shell("i=0; while :; do i=$((i+1)); echo \"line $i of a log that grows steadily\"; sleep 0.005; done"));
    List<String> followed = new CopyOnWriteArrayList<>();
    try (AutoCloseable ignored = driver().logs(p).follow(followed::add)) {
      Path log = logFile(p);
      for (int rotations = 0; rotations < 3; ) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(log) >= 4096);
        ((ProcessComputeDriver) driver()).rotateLogs();
        rotations++;
      }
      int seen = followed.size();
      await().atMost(Duration.ofSeconds(5)).until(() -> followed.size() > seen + 20);

      assertThat(Files.exists(LogRotation.rotated(log, 1))).isTrue();
      assertThat(Files.exists(LogRotation.rotated(log, 2))).isTrue();
      assertThat(Files.exists(LogRotation.rotated(log, 3))).isFalse();
      assertThat(Files.size(log)).isLessThan(4096 * 2);
    }
    List<Integer> numbers = followed.stream().map(l -> Integer.parseInt(l.split(" ")[1])).toList();
    assertThat(numbers).isSorted().doesNotHaveDuplicates();
    // copy-and-truncate may lose what is written between the copy and the truncation: a line or two at most
    assertThat(numbers.getLast() - numbers.getFirst() + 1 - numbers.size()).isLessThanOrEqualTo(3 * 2);
  }
}
