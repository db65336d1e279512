package dev.reef.orchestration.internal.process;

import dev.reef.orchestration.AgentCannotStartException;
import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.ComputeDriver;
import dev.reef.orchestration.DriverChecks;
import dev.reef.orchestration.ExitStatus;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.LogStream;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each agent as a detached group of local OS processes, the default driver.
 *
 * <p>Design note. Every agent has private directories (0700) under {@code <REEF_DATA_DIR>/agents/<tenant>/<agent>},
 * its own loopback address, and its memory and CPU limits in control groups where the machine allows. It runs under
 * {@link AgentWrapper} in a session of its own, with only the environment its launch gives (plus its own
 * {@code HOME}, {@code TMPDIR} and a minimal {@code PATH}) and its output appended to a file, so it outlives Reef.
 * Everything needed to find it again is in the placement: the pids and start times of the agent and of its
 * wrapper (whose pid is also the process group id), and the boot they belong to. An id whose process has another
 * start time is somebody else's and is never signalled. The exit status is in a file written by the wrapper, so
 * it is known after a restart of Reef too.
 *
 * <p>Sandbox. By default every agent runs inside a bubblewrap sandbox ({@link Bubblewrap}): namespaces of its own,
 * its tenant's uid, only its own files and its runtime visible, and no network but three Unix-socket doors (Reef's
 * LLM proxy, Reef's egress proxy, and its gateway, through which Reef talks to it). Its files live in
 * {@code fs/} of its directory, owned by its uid; everything else there is Reef's. With {@code REEF_SANDBOX=none}
 * agents run unconfined, as Reef's user, on loopback addresses of their own (development only; see
 * docs/process-driver.md for what that leaves open).
 */
final class ProcessComputeDriver implements ComputeDriver, AutoCloseable {

  static final String NAME = "process";

  // placement attributes
  static final String MEMORY_MB = "memoryMb";
  static final String CPU_MILLIS = "cpuMillis";
  static final String MEMORY_ENFORCEMENT = "memoryEnforcement";
  static final String CPU_ENFORCEMENT = "cpuEnforcement";
  static final String CGROUP_MEMORY = "cgroupMemory";
  static final String CGROUP_CPU = "cgroupCpu";
  static final String CGROUP_PIDS = "cgroupPids";
  static final String MAX_PROCESSES = "maxProcesses";
  static final String PIDS_ENFORCEMENT = "processesEnforcement";
  static final String DISK_MB = "diskMb";
  static final String DISK_ENFORCEMENT = "diskEnforcement";
  static final String BOOT_ID = "bootId";
  static final String PID = "pid";
  static final String PID_START = "pidStartTicks";
  static final String PGID = "pgid";
  static final String PGID_START = "pgidStartTicks";
  static final String STARTED_AT = "startedAt";
  static final String SANDBOX = "sandbox";
  static final String UID = "uid";
  /** Facts about one run, dropped when it is stopped. */
  private static final List<String> RUN_ATTRIBUTES = List.of(BOOT_ID, PID, PID_START, PGID, PGID_START, STARTED_AT);

  static final List<String> DIRECTORIES = List.of("state", "workspace", "home", "tmp", "logs");
  static final String LOG_FILE = "agent.log";
  /** Where the wrapper keeps its pid files and the exit status; not given to the agent as a path. */
  private static final String RUN = "run";
  /** Holds {@code host:port}, reserving the address while the agent exists, running or not. */
  private static final String ADDRESS_FILE = "address";
  /** The run's attributes again, for a caller that comes back with an older placement (the one from create). */
  private static final String RUN_RECORD = "process";
  static final String MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin";
  /** A sandboxed agent's own files ({@link #DIRECTORIES} but logs), owned by its uid. */
  static final String FILES = "fs";
  /** A sandboxed agent's {@code /etc/passwd}, {@code group} and {@code hosts}. */
  private static final String ETC = "etc";
  /** An empty directory a sandbox's sources are staged on, in the sandbox's own mount namespace. */
  private static final String STAGE = "stage";
  /** The port a sandboxed agent listens on inside its own network namespace, unless its spec names one. */
  static final int SANDBOX_PORT = 18799;
  private static final Set<PosixFilePermission> SHARED_DIR = PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> SHARED_FILE = PosixFilePermissions.fromString("rw-r--r--");

  private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration DESTROY_GRACE = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Logger log = LoggerFactory.getLogger(ProcessComputeDriver.class);

  private final Path agentsRoot;
  private final SharedCopies sharedCopies;
  private final Supplier<String> proxyBaseUrl;
  private final ProcessTable processes;
  private final Cgroups cgroups;
  private final LogRotation rotation;
  private final Path setsid;
  private final ScheduledExecutorService rotator;
  private final Sandboxing sandboxing;
  /** The egress listeners this Reef process serves, by agent. */
  private final Map<UUID, java.io.Closeable> egressListeners = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param dataDir Reef's data directory; agents live in its {@code agents} directory
   * @param proxyBaseUrl where agents reach Reef's LLM proxy, asked at each create (Reef's port is known only once
   *     its server has started)
   * @param rotationCheck how often logs are checked for rotation; null for never (tests rotate by hand)
   */
  ProcessComputeDriver(Path dataDir, Supplier<String> proxyBaseUrl, ProcessTable processes, Cgroups cgroups,
      LogRotation rotation, Duration rotationCheck, Sandboxing sandboxing) {
    this.sandboxing = sandboxing;
    this.agentsRoot = dataDir.toAbsolutePath().normalize().resolve("agents");
    this.sharedCopies = new SharedCopies(dataDir.toAbsolutePath().normalize().resolve("agent-shared"));
    this.proxyBaseUrl = proxyBaseUrl;
    this.processes = processes;
    this.cgroups = cgroups;
    this.rotation = rotation;
    this.setsid = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of).filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new IllegalStateException("The process driver needs setsid (util-linux), found neither "
            + "/usr/bin/setsid nor /bin/setsid. Install util-linux, or choose another REEF_COMPUTE_DRIVER."));
    if (rotationCheck == null) {
      this.rotator = null;
    } else {
      this.rotator = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("reef-agent-log-rotation").factory());
      rotator.scheduleWithFixedDelay(this::rotateLogsQuietly, rotationCheck.toMillis(), rotationCheck.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsLocalRuntime() {
    return true;
  }

  // --- create ------------------------------------------------------------------------------------------------------

  @Override
  public Optional<String> unavailable() {
    return sandboxing.unavailable();
  }

  /** How limits are enforced on this machine, for the operator's health page. */
  String describeLimits() {
    return cgroups.describe() + "; " + sandboxing.disks().describe();
  }

  /** Synchronized so that two agents created at once cannot take the same address. */
  @Override
  public synchronized Placement create(AgentSpec spec) {
    DriverChecks.requirePort(spec);
    Optional<String> unavailable = sandboxing.unavailable();
    if (unavailable.isPresent()) {
      throw new AgentCannotStartException("Agents cannot be sandboxed on this machine: " + unavailable.get());
    }
    Path dir = agentsRoot.resolve(spec.tenantId().toString()).resolve(spec.agentId().toString());
    try {
      return sandboxing.on() ? createSandboxed(spec, dir) : createUnconfined(spec, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the directories of agent " + spec.agentId() + " in " + dir, e);
    }
  }

  private Placement createSandboxed(AgentSpec spec, Path dir) throws IOException {
    long uid = sandboxing.support().separateUids() ? sandboxing.uids().uidOf(spec.tenantId()) : UnixSockets.ownUid();
    makeReefDirectories(dir, List.of(RUN, "logs", STAGE));
    sandboxing.disks().ensure(dir, dir.resolve(FILES), dir.resolve(STAGE), spec.diskMb(), uid);
    makeAgentDirectories(dir.resolve(FILES), uid);
    Path etc = dir.resolve(ETC);
    Files.createDirectories(etc);
    Files.setPosixFilePermissions(etc, SHARED_DIR);
    for (Map.Entry<String, String> file : Bubblewrap.etcFiles(uid).entrySet()) {
      writeFile(etc.resolve(file.getKey()), file.getValue().getBytes(StandardCharsets.UTF_8), SHARED_FILE);
    }
    Path sockets = sandboxing.agentSockets(spec.agentId());
    makeSocketDirectories(sockets, uid);
    int port = spec.port() > 0 ? spec.port() : SANDBOX_PORT;
    Map<String, String> paths = new LinkedHashMap<>();
    for (String name : List.of("state", "workspace", "home")) {
      paths.put(name, Bubblewrap.AGENT_ROOT + "/" + name);
    }
    paths.put("tmp", "/tmp");
    Map<String, String> attributes = new HashMap<>(Map.of(MEMORY_MB, Long.toString(spec.memoryMb()),
        CPU_MILLIS, Long.toString(spec.cpuMillis()), MAX_PROCESSES, Long.toString(spec.maxProcesses()),
        DISK_MB, Long.toString(spec.diskMb()), SANDBOX, SandboxProperties.BUBBLEWRAP,
        UID, Long.toString(uid), Placement.PEER_UID, Long.toString(uid)));
    return new Placement(NAME, spec.tenantId(), spec.agentId(), "127.0.0.1", port,
        "unix:" + UnixSockets.checkLength(sockets.resolve("gateway").resolve(Bubblewrap.GATEWAY_SOCKET)), paths,
        "http://127.0.0.1:" + Bubblewrap.LLM_PORT + "/v1", "http://127.0.0.1:" + Bubblewrap.EGRESS_PORT,
        attributes);
  }

  private Placement createUnconfined(AgentSpec spec, Path dir) throws IOException {
    makePrivateDirectories(dir);
    Path addressFile = dir.resolve(RUN).resolve(ADDRESS_FILE);
    String host;
    int port;
    if (Files.exists(addressFile)) {
      String stored = Files.readString(addressFile).trim();
      host = hostOf(stored);
      port = Integer.parseInt(stored.substring(stored.lastIndexOf(':') + 1));
    } else {
      // Port 0: each agent its own port too. Some runtimes (OpenClaw) also bind 127.0.0.1 on the same port, so
      // a port shared between agents on different addresses would still collide.
      port = spec.port() > 0 ? spec.port() : LoopbackAddresses.allocatePort(spec.agentId(), reservedPorts(),
          LoopbackAddresses::canListen);
      host = LoopbackAddresses.allocate(spec.agentId(), port, reservedAddresses(), LoopbackAddresses::canListen);
    }
    writePrivate(addressFile, (host + ":" + port).getBytes(StandardCharsets.US_ASCII));
    Map<String, String> paths = new LinkedHashMap<>();
    DIRECTORIES.forEach(name -> paths.put(name, dir.resolve(name).toString()));
    return new Placement(NAME, spec.tenantId(), spec.agentId(), host, port,
        "http://" + host + ":" + port, paths, proxyBaseUrl.get(), null,
        Map.of(MEMORY_MB, Long.toString(spec.memoryMb()), CPU_MILLIS, Long.toString(spec.cpuMillis()),
            MAX_PROCESSES, Long.toString(spec.maxProcesses()), SANDBOX, SandboxProperties.NONE));
  }

  /** Reef's own directories of a sandboxed agent: the agents directory, the tenant's, the agent's, and these. */
  private void makeReefDirectories(Path dir, List<String> children) throws IOException {
    List<Path> all = new ArrayList<>(List.of(agentsRoot, dir.getParent(), dir));
    children.forEach(name -> all.add(dir.resolve(name)));
    for (Path d : all) {
      Files.createDirectories(d);
      Files.setPosixFilePermissions(d, PRIVATE_DIR);
    }
  }

  /**
   * The agent's own files: {@code fs/} and its state, workspace, home and tmp, owned by its uid, 0700. A link where
   * one of them should be (an agent can leave one behind) is refused: Reef writes there as root.
   */
  private static void makeAgentDirectories(Path files, long uid) throws IOException {
    List<Path> all = new ArrayList<>(List.of(files));
    for (String name : List.of("state", "workspace", "home", "tmp")) {
      all.add(files.resolve(name));
    }
    for (Path d : all) {
      refuseLink(d);
      Files.createDirectories(d);
      Files.setPosixFilePermissions(d, PRIVATE_DIR);
      if (uid != UnixSockets.ownUid()) {
        UnixSockets.chown(d, uid);
      }
    }
  }

  /** The agent's socket directories: {@code gateway/} its own (0700), {@code reef/} Reef's doors (0755). */
  private static void makeSocketDirectories(Path sockets, long uid) throws IOException {
    Files.createDirectories(sockets.getParent());
    Files.setPosixFilePermissions(sockets.getParent().getParent(), PRIVATE_DIR);
    Files.setPosixFilePermissions(sockets.getParent(), PRIVATE_DIR);
    Files.createDirectories(sockets);
    Files.setPosixFilePermissions(sockets, PRIVATE_DIR);
    Path gateway = sockets.resolve("gateway");
    refuseLink(gateway);
    Files.createDirectories(gateway);
    Files.setPosixFilePermissions(gateway, PRIVATE_DIR);
    if (uid != UnixSockets.ownUid()) {
      UnixSockets.chown(gateway, uid);
    }
    Path doors = sockets.resolve("reef");
    Files.createDirectories(doors);
    Files.setPosixFilePermissions(doors, SHARED_DIR);
  }

  private static void refuseLink(Path path) throws IOException {
    if (Files.isSymbolicLink(path)) {
      throw new IOException(path + " is a symbolic link, where a directory of the agent's belongs: refusing to "
          + "follow it");
    }
  }

  /** The agents directory, the tenant's and the agent's, and the agent's own, all 0700 whatever the umask. */
  private void makePrivateDirectories(Path dir) throws IOException {
    List<Path> all = new ArrayList<>(List.of(agentsRoot, dir.getParent(), dir, dir.resolve(RUN)));
    DIRECTORIES.forEach(name -> all.add(dir.resolve(name)));
    for (Path d : all) {
      Files.createDirectories(d);
      Files.setPosixFilePermissions(d, PRIVATE_DIR);
    }
  }

  /** Addresses held by the agents that exist. */
  /** Ports other agents hold (from their address files). */
  private Set<Integer> reservedPorts() throws IOException {
    Set<Integer> ports = new HashSet<>();
    for (String hostAndPort : addressFiles()) {
      ports.add(Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1)));
    }
    return ports;
  }

  private Set<String> reservedAddresses() throws IOException {
    Set<String> reserved = new HashSet<>();
    for (String hostAndPort : addressFiles()) {
      reserved.add(hostOf(hostAndPort));
    }
    return reserved;
  }

  private List<String> addressFiles() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.find(agentsRoot, 4, (p, a) -> p.getFileName().toString().equals(ADDRESS_FILE)
        && p.getParent().getFileName().toString().equals(RUN))) {
      for (Path f : files.toList()) {
        try {
          found.add(Files.readString(f).trim());
        } catch (NoSuchFileException e) {
          // its agent was destroyed meanwhile
        }
      }
    }
    return found;
  }

  private static String hostOf(String hostAndPort) {
    String s = hostAndPort.trim();
    return s.substring(0, s.lastIndexOf(':'));
  }

  // --- start -------------------------------------------------------------------------------------------------------

  @Override
  public Placement start(Placement placement, Launch launch) {
    Path dir = agentDir(placement);
    boolean sandboxed = sandboxed(placement);
    if (sandboxed && !sandboxing.on()) {
      throw new AgentCannotStartException("Agent " + placement.agentId() + " was placed in a sandbox, which this "
          + "Reef cannot make: " + sandboxing.unavailable().orElse("the sandbox is off (REEF_SANDBOX=none)"));
    }
    if (observe(placement) instanceof Observed.Running) {
      return current(placement);
    }
    Path run = dir.resolve(RUN);
    if (recorded(current(placement)).isPresent()) {
      placement = stop(placement, KILL_TIMEOUT); // what is left of an earlier run: its wrapper, stragglers
    }
    Path logFile = dir.resolve("logs").resolve(LOG_FILE);
    long uid = sandboxed ? longAttribute(placement, UID) : -1;
    String diskEnforcement = Cgroups.NOT_ENFORCED;
    try {
      Path state = sandboxed ? dir.resolve(FILES).resolve("state") : dir.resolve("state");
      if (sandboxed) {
        makeReefDirectories(dir, List.of(RUN, "logs", STAGE));
        diskEnforcement = sandboxing.disks().ensure(dir, dir.resolve(FILES), dir.resolve(STAGE),
            longAttribute(placement, DISK_MB), uid);
        makeAgentDirectories(dir.resolve(FILES), uid);
        makeSocketDirectories(sandboxing.agentSockets(placement.agentId()), uid);
      } else {
        makePrivateDirectories(dir);
      }
      for (Map.Entry<String, byte[]> file : launch.files().entrySet()) {
        Path target = inside(state, file.getKey());
        if (sandboxed) {
          writeAgentFile(state, target, file.getValue(), uid);
        } else {
          writePrivate(target, file.getValue());
        }
      }
      // the persona files a tenant set, over what the agent kept (it may have edited them): the same care as the
      // state's files, since the agent owns the directory they go in
      Path workspace = state.resolveSibling("workspace");
      for (Map.Entry<String, byte[]> file : launch.workspaceFiles().entrySet()) {
        Path target = inside(workspace, file.getKey());
        if (sandboxed) {
          writeAgentFile(workspace, target, file.getValue(), uid);
        } else {
          writePrivate(target, file.getValue());
        }
      }
      if (!sandboxed) {
        for (Launch.SharedDirectory shared : launch.sharedDirectories()) {
          sharedCopies.copyInto(shared, inside(state, shared.at()), UnixSockets.ownUid());
        }
      }
      clearRunFiles(run);
      if (!Files.exists(logFile)) {
        writePrivate(logFile, new byte[0]);
      }
      if (sandboxed) {
        clearGateway(placement);
        openDoors(placement);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the files of agent " + placement.agentId(), e);
    }
    Cgroups.Prepared limits = cgroups.prepare(placement.agentId(), longAttribute(placement, MEMORY_MB),
        longAttribute(placement, CPU_MILLIS), longAttribute(placement, MAX_PROCESSES));
    List<String> command = sandboxed ? sandboxing.bubblewrap().commandLine(sandboxSpec(placement, dir, launch, uid))
        : launch.command();
    ProcessBuilder builder = new ProcessBuilder(
        AgentWrapper.commandLine(setsid, run, limits.procsFiles(), command))
        .directory((sandboxed ? dir.resolve(STAGE) : dir.resolve("workspace")).toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(sandboxed ? sandboxEnvironment(placement, launch,
        Bubblewrap.RuntimeMounts.of(launch.readOnlyPaths())) : environment(dir, launch));
    Process wrapper;
    try {
      wrapper = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start agent " + placement.agentId(), e);
    }
    // The JVM reaps the wrapper when it ends; nothing else is kept of the Process: the placement is what counts.
    DriverChecks.awaitUntil(() -> Files.exists(run.resolve(AgentWrapper.EXIT))
        || readPid(run.resolve(AgentWrapper.AGENT_PID)) > 0
        || !wrapper.isAlive() && readPid(run.resolve(AgentWrapper.WRAPPER_PID)) <= 0, START_TIMEOUT, POLL);
    long wrapperPid = readPid(run.resolve(AgentWrapper.WRAPPER_PID));
    long agentPid = readPid(run.resolve(AgentWrapper.AGENT_PID));
    if (wrapperPid <= 0 || agentPid <= 0) {
      wrapper.destroyForcibly();
      throw new IllegalStateException("Agent " + placement.agentId() + " did not start within " + START_TIMEOUT
          .toSeconds() + " s; its log says: " + lastLines(logFile));
    }
    Map<String, String> attributes = new HashMap<>(placement.attributes());
    attributes.put(BOOT_ID, processes.bootId());
    attributes.put(PGID, Long.toString(wrapperPid));
    attributes.put(PGID_START, Long.toString(processes.stat(wrapperPid).map(ProcStat::startTicks).orElse(-1L)));
    attributes.put(PID, Long.toString(agentPid));
    // -1 when the command ended already: then only its exit status is left to see
    long agentStart = processes.stat(agentPid).map(ProcStat::startTicks).orElse(-1L);
    attributes.put(PID_START, Long.toString(agentStart));
    if (agentStart >= 0) {
      attributes.put(STARTED_AT, processes.startInstant(agentStart).toString());
    }
    recordLimits(attributes, limits, agentPid, agentStart);
    attributes.put(DISK_ENFORCEMENT, diskEnforcement);
    if (diskEnforcement.equals(AgentDisks.ENFORCED)) {
      attributes.put(DISK_MB, Long.toString(AgentDisks.sizeMb(dir))); // what it got, if a shrink did not fit
    }
    try {
      StringBuilder record = new StringBuilder();
      attributes.forEach((name, value) -> record.append(name).append('=').append(value).append('\n'));
      writePrivate(run.resolve(RUN_RECORD), record.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log.warn("Could not write the run record of agent {}: {}", placement.agentId(), e.toString());
    }
    log.info("Started agent {} of tenant {}: pid {}, {}, memory limit {} MB ({}), CPU {} millis ({}), processes {} "
        + "({}), disk {} MB ({})", placement.agentId(), placement.tenantId(), agentPid,
        sandboxed ? "sandboxed as uid " + uid : placement.listenHost() + ":" + placement.listenPort(),
        attributes.get(MEMORY_MB), attributes.get(MEMORY_ENFORCEMENT), attributes.get(CPU_MILLIS),
        attributes.get(CPU_ENFORCEMENT), attributes.get(MAX_PROCESSES), attributes.get(PIDS_ENFORCEMENT),
        attributes.get(DISK_MB), attributes.getOrDefault(DISK_ENFORCEMENT, Cgroups.NOT_ENFORCED));
    return placement.withAttributes(attributes);
  }

  /**
   * The agent's environment: its launch's, and its own home and temporary directory (always: they are part of its
   * isolation) and a minimal PATH (unless the launch has its own, e.g. with its runtime's binaries first).
   */
  static Map<String, String> environment(Path agentDir, Launch launch) {
    Map<String, String> env = new HashMap<>(launch.environment());
    env.put("HOME", agentDir.resolve("home").toString());
    env.put("TMPDIR", agentDir.resolve("tmp").toString());
    env.putIfAbsent("PATH", MINIMAL_PATH);
    return env;
  }

  /**
   * A sandboxed agent's environment: its launch's, its own home, its private {@code /tmp}, a minimal PATH (unless
   * the launch has its own), and Reef's egress proxy as the proxy for everything (Node needs
   * {@code NODE_USE_ENV_PROXY} to honour the variables).
   */
  static Map<String, String> sandboxEnvironment(Placement placement, Launch launch,
      Bubblewrap.RuntimeMounts runtime) {
    Map<String, String> env = new HashMap<>();
    launch.environment().forEach((name, value) -> env.put(name, runtime.translate(value)));
    env.put("HOME", placement.path("home"));
    env.put("TMPDIR", placement.path("tmp"));
    env.put("USER", "agent");
    env.put("LOGNAME", "agent");
    env.putIfAbsent("PATH", MINIMAL_PATH);
    String egress = placement.egressProxyUrl();
    for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")) {
      env.put(name, egress);
    }
    env.put("NO_PROXY", "localhost,127.0.0.1,::1");
    env.put("no_proxy", "localhost,127.0.0.1,::1");
    env.put("NODE_USE_ENV_PROXY", "1");
    return env;
  }

  private Bubblewrap.Spec sandboxSpec(Placement placement, Path dir, Launch launch, long uid) {
    Path sockets = sandboxing.agentSockets(placement.agentId());
    Bubblewrap.RuntimeMounts runtime = Bubblewrap.RuntimeMounts.of(launch.readOnlyPaths());
    Map<String, Path> stateMounts = new HashMap<>();
    for (Launch.SharedDirectory shared : launch.sharedDirectories()) {
      try {
        stateMounts.put(shared.at(), sharedCopies.copyFor(shared, uid, runtime::translate));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot copy " + shared.host() + " for agent " + placement.agentId(), e);
      }
    }
    return new Bubblewrap.Spec(dir.resolve(FILES), sockets.resolve("gateway"), sockets.resolve("reef"),
        sandboxing.llmDoor().directory(), dir.resolve(ETC), dir.resolve(STAGE), runtime,
        sandboxing.support().separateUids() ? java.util.OptionalLong.of(uid) : java.util.OptionalLong.empty(),
        placement.listenPort(), launch.command(), stateMounts);
  }

  private static boolean sandboxed(Placement placement) {
    return SandboxProperties.BUBBLEWRAP.equals(placement.attributes().get(SANDBOX));
  }

  /** Removes the gateway socket and start marker of an earlier run, so neither can be mistaken for this one's. */
  private void clearGateway(Placement placement) throws IOException {
    Path gateway = sandboxing.agentSockets(placement.agentId()).resolve("gateway");
    Files.deleteIfExists(gateway.resolve(Bubblewrap.GATEWAY_SOCKET));
    Files.deleteIfExists(gateway.resolve(Bubblewrap.STARTED_MARKER));
  }

  /**
   * Makes sure this agent's doors lead somewhere: its LLM link to a live Reef, its egress socket served (by this
   * Reef process, unless another live one serves it already).
   */
  private void openDoors(Placement placement) throws IOException {
    Path doors = sandboxing.agentSockets(placement.agentId()).resolve("reef");
    sandboxing.llmDoor().claim(doors);
    Path egress = doors.resolve(Bubblewrap.EGRESS_SOCKET);
    if (egressListeners.containsKey(placement.agentId()) || UnixSockets.listening(egress)) {
      return;
    }
    synchronized (egressListeners) {
      if (!egressListeners.containsKey(placement.agentId())) {
        Files.deleteIfExists(egress);
        egressListeners.put(placement.agentId(),
            sandboxing.egress().serve(placement.tenantId(), placement.agentId(), egress));
      }
    }
  }

  private void closeDoors(Placement placement) {
    java.io.Closeable listener = egressListeners.remove(placement.agentId());
    if (listener != null) {
      try {
        listener.close();
      } catch (IOException e) {
        log.warn("Could not close the egress door of agent {}: {}", placement.agentId(), e.toString());
      }
    }
  }

  /**
   * Writes one of the launch's files into a sandboxed agent's state directory, owned by the agent, 0600. Reef writes
   * as root into a directory the agent owns, so nothing on the way may be a link: the agent is not running now,
   * and an agent that left one behind gets its start refused, not a file of Reef's overwritten.
   */
  private static void writeAgentFile(Path state, Path target, byte[] content, long uid) throws IOException {
    Path files = state.getParent();
    for (Path p = target.getParent(); p.startsWith(state); p = p.getParent()) {
      refuseLink(p);
    }
    Path parent = target.getParent();
    if (!Files.isDirectory(parent, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(parent);
      for (Path p = parent; !p.equals(files); p = p.getParent()) {
        Files.setPosixFilePermissions(p, PRIVATE_DIR);
        if (uid != UnixSockets.ownUid()) {
          UnixSockets.chown(p, uid);
        }
      }
    }
    refuseLink(parent);
    Path aside = parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try (FileChannel channel = FileChannel.open(aside, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
      channel.write(java.nio.ByteBuffer.wrap(content));
    }
    Files.setPosixFilePermissions(aside, PRIVATE_FILE);
    if (uid != UnixSockets.ownUid()) {
      UnixSockets.chown(aside, uid);
    }
    Files.move(aside, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Writes a file Reef owns, with these permissions, atomically. */
  private static void writeFile(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
    Path aside = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try (FileChannel channel = FileChannel.open(aside, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(permissions))) {
      channel.write(java.nio.ByteBuffer.wrap(content));
    }
    Files.setPosixFilePermissions(aside, permissions);
    Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Records which limits apply; a group the agent did not manage to join enforces nothing. */
  private void recordLimits(Map<String, String> attributes, Cgroups.Prepared limits, long agentPid, long agentStart) {
    String memory = limits.memoryEnforcement();
    String cpu = limits.cpuEnforcement();
    attributes.remove(CGROUP_MEMORY);
    attributes.remove(CGROUP_CPU);
    if (limits.memoryDir() != null) {
      attributes.put(CGROUP_MEMORY, limits.memoryDir().toString());
      if (agentStart >= 0 && !Cgroups.members(limits.memoryDir()).contains(agentPid)) {
        memory = Cgroups.NOT_ENFORCED;
      }
    }
    if (limits.cpuDir() != null) {
      attributes.put(CGROUP_CPU, limits.cpuDir().toString());
      if (agentStart >= 0 && !Cgroups.members(limits.cpuDir()).contains(agentPid)) {
        cpu = Cgroups.NOT_ENFORCED;
      }
    }
    attributes.remove(CGROUP_PIDS);
    String pids = limits.pidsEnforcement();
    if (limits.pidsDir() != null) {
      attributes.put(CGROUP_PIDS, limits.pidsDir().toString());
      if (agentStart >= 0 && !Cgroups.members(limits.pidsDir()).contains(agentPid)) {
        pids = Cgroups.NOT_ENFORCED;
      }
    }
    attributes.put(MEMORY_ENFORCEMENT, memory);
    attributes.put(CPU_ENFORCEMENT, cpu);
    attributes.put(PIDS_ENFORCEMENT, pids);
  }

  // --- stop, destroy -----------------------------------------------------------------------------------------------

  @Override
  public Placement stop(Placement given, Duration grace) {
    Path dir = agentDir(given);
    Placement placement = current(given);
    Optional<Recorded> recorded = recorded(placement);
    if (recorded.isPresent() && owned(recorded.get())) {
      long group = recorded.get().pgid();
      if (sandboxed(placement)) {
        signalInsideSandbox(recorded.get(), "TERM");
      } else {
        signalGroup(group, "TERM");
      }
      if (!DriverChecks.awaitUntil(() -> processes.group(group).isEmpty(), grace, POLL)) {
        log.info("Agent {} did not stop within {}; killing it", placement.agentId(), grace);
        signalGroup(group, "KILL");
        DriverChecks.awaitUntil(() -> processes.group(group).isEmpty(), KILL_TIMEOUT, POLL);
      }
    }
    emptyControlGroups(placement);
    if (sandboxed(placement) && sandboxing.runRoot() != null) {
      sandboxing.disks().release(dir.resolve(FILES));
      closeDoors(placement);
      try {
        clearGateway(placement); // a stale socket there would only ever refuse connections; leave nothing
      } catch (IOException e) {
        log.warn("Could not clear the gateway socket of agent {}: {}", placement.agentId(), e.toString());
      }
    }
    try {
      clearRunFiles(dir.resolve(RUN));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clear the run files of agent " + placement.agentId(), e);
    }
    Map<String, String> attributes = new HashMap<>(placement.attributes());
    RUN_ATTRIBUTES.forEach(attributes::remove);
    return placement.withAttributes(attributes);
  }

  /**
   * Signals the agent's own processes in its sandbox, not the sandbox's keepers: bubblewrap outside (the recorded
   * agent pid), whose death would kill the whole sandbox at once, and bubblewrap's init inside. So a stop reaches
   * the agent as a stop would reach an unconfined one, and it can finish its work within the grace period.
   */
  private void signalInsideSandbox(Recorded r, String signal) {
    Set<Long> keepers = new HashSet<>(Set.of(r.pgid(), r.pid()));
    List<ProcStat> group = processes.group(r.pgid());
    group.stream().filter(p -> p.parent() == r.pid()).forEach(p -> keepers.add(p.pid()));
    List<Long> agent = group.stream().map(ProcStat::pid).filter(pid -> !keepers.contains(pid)).toList();
    if (!agent.isEmpty()) {
      signal(agent, signal);
    }
  }

  /**
   * Whether the recorded process group is still this agent's: its wrapper or the agent itself runs, with the start
   * time recorded, in this boot. While either lives the group id cannot be taken by another process.
   */
  private boolean owned(Recorded r) {
    return r.bootId().equals(processes.bootId())
        && (processes.running(r.pid(), r.pidStart()).isPresent()
            || processes.running(r.pgid(), r.pgidStart()).isPresent());
  }

  /**
   * Kills what is left in the agent's control groups, processes that left its process group (a daemon that made
   * its own session), and removes the groups: a stopped agent leaves nothing behind, and the next start makes them
   * afresh.
   */
  private void emptyControlGroups(Placement placement) {
    for (Path group : controlGroups(placement)) {
      List<Long> members = Cgroups.members(group);
      members.stream().filter(pid -> pid > 1 && pid != ProcessHandle.current().pid())
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      if (!DriverChecks.awaitUntil(() -> Cgroups.members(group).isEmpty() && Cgroups.remove(group), KILL_TIMEOUT,
          POLL)) {
        log.warn("Could not remove control group {} of agent {}", group, placement.agentId());
      }
    }
  }

  /** The groups the placement names, and those the agent has under the parents configured now. */
  private List<Path> controlGroups(Placement placement) {
    return Stream.concat(Stream.of(CGROUP_MEMORY, CGROUP_CPU, CGROUP_PIDS).map(a -> controlGroup(placement, a))
        .flatMap(Optional::stream), cgroups.groupsOf(placement.agentId()).stream()).distinct().toList();
  }

  /**
   * A control group the placement names, if it still exists. A stored path is not trusted blindly, since destroy
   * removes it: it must be a group (on a cgroup filesystem) named after the agent.
   */
  private static Optional<Path> controlGroup(Placement placement, String attribute) {
    return Optional.ofNullable(placement.attributes().get(attribute)).filter(s -> !s.isBlank()).map(Path::of)
        .filter(p -> p.getFileName() != null && p.getFileName().toString().equals(placement.agentId().toString()))
        .filter(Cgroups::isControlGroup);
  }

  @Override
  public void destroy(Placement given) {
    Path dir = agentDir(given);
    Placement placement = stop(given, DESTROY_GRACE);
    rotation.forget(dir.resolve("logs").resolve(LOG_FILE));
    try {
      deleteTree(dir);
      if (sandboxing.runRoot() != null) {
        deleteTree(sandboxing.agentSockets(placement.agentId()));
      }
      try {
        Files.deleteIfExists(dir.getParent()); // the tenant's directory, once its last agent is gone
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        // the tenant has other agents
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the files of agent " + placement.agentId() + " in " + dir, e);
    }
    log.info("Destroyed agent {} of tenant {}", placement.agentId(), placement.tenantId());
  }

  /** Removes a directory and everything in it (links as links); nothing when it is not there. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // --- observe, logs -----------------------------------------------------------------------------------------------

  @Override
  public Observed observe(Placement given) {
    Path run = agentDir(given).resolve(RUN);
    Placement placement = current(given);
    Optional<Recorded> recorded = recorded(placement);
    if (recorded.isEmpty()) {
      return new Observed.Missing();
    }
    Recorded r = recorded.get();
    boolean thisBoot = r.bootId().equals(processes.bootId());
    if (thisBoot && processes.running(r.pid(), r.pidStart()).isPresent()) {
      if (sandboxed(placement) && sandboxing.on()) {
        try {
          openDoors(placement); // a Reef that restarted or took the agent over serves its doors from now on
        } catch (IOException e) {
          log.warn("Could not open the doors of agent {}: {}", placement.agentId(), e.toString());
        }
      }
      return new Observed.Running(processes.startInstant(r.pidStart()), residentBytes(placement, r.pgid()));
    }
    Optional<Integer> exit = readExit(run);
    if (exit.isEmpty() && thisBoot && processes.running(r.pgid(), r.pgidStart()).isPresent()) {
      // the agent has just ended and its wrapper is about to write down how
      DriverChecks.awaitUntil(() -> readExit(run).isPresent(), Duration.ofSeconds(1), POLL);
      exit = readExit(run);
    }
    if (exit.isPresent()) {
      int code = exit.get();
      if (sandboxed(placement) && sandboxing.runRoot() != null && code != 0
          && !Files.exists(sandboxing.agentSockets(placement.agentId())
          .resolve("gateway").resolve(Bubblewrap.STARTED_MARKER))) {
        return new Observed.CannotRun("the sandbox could not be set up (exit code " + code + "): "
            + lastLines(agentDir(placement).resolve("logs").resolve(LOG_FILE)));
      }
      boolean outOfMemory = controlGroup(placement, CGROUP_MEMORY).filter(Cgroups::outOfMemoryKills).isPresent();
      return new Observed.Exited(code, ExitStatus.describe(code, outOfMemory,
          placement.attributes().get(MEMORY_MB) + " MB"));
    }
    return new Observed.Missing();
  }

  /** Resident memory of the agent's processes: those in its memory control group, else those in its group. */
  private long residentBytes(Placement placement, long processGroup) {
    List<Long> pids = controlGroup(placement, CGROUP_MEMORY).map(Cgroups::members)
        .orElseGet(() -> processes.group(processGroup).stream().map(ProcStat::pid).toList());
    return processes.residentBytes(pids);
  }

  @Override
  public LogStream logs(Placement placement) {
    return new AgentLog(agentDir(placement).resolve("logs").resolve(LOG_FILE), rotation);
  }

  /** Rotates every agent's log that has reached its size limit. */
  void rotateLogs() throws IOException {
    if (!Files.isDirectory(agentsRoot)) {
      return;
    }
    try (Stream<Path> logs = Files.find(agentsRoot, 4, (p, a) -> p.getFileName().toString().equals(LOG_FILE))) {
      for (Path file : logs.toList()) {
        rotation.rotateIfFull(file);
      }
    }
  }

  private void rotateLogsQuietly() {
    try {
      rotateLogs();
    } catch (IOException | RuntimeException e) {
      log.warn("Rotating agent logs failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (rotator != null) {
      rotator.shutdownNow();
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  /** What a placement says about a run: the agent's pid, its wrapper's (the group's), their start times, the boot. */
  private record Recorded(long pid, long pidStart, long pgid, long pgidStart, String bootId) {}

  /**
   * The placement, or, when it says nothing of a run (a caller holding the placement from create), the one the last
   * start returned, from its run record.
   */
  private Placement current(Placement placement) {
    if (placement.attributes().containsKey(PID)) {
      return placement;
    }
    try {
      Map<String, String> record = new HashMap<>();
      for (String line : Files.readAllLines(agentDir(placement).resolve(RUN).resolve(RUN_RECORD))) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          record.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      return placement.withAttributes(record);
    } catch (IOException e) {
      return placement;
    }
  }

  private static Optional<Recorded> recorded(Placement placement) {
    Map<String, String> a = placement.attributes();
    if (!a.containsKey(PID) || !a.containsKey(PGID)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Recorded(Long.parseLong(a.get(PID)), Long.parseLong(a.getOrDefault(PID_START, "-1")),
          Long.parseLong(a.get(PGID)), Long.parseLong(a.getOrDefault(PGID_START, "-1")), a.getOrDefault(BOOT_ID, "")));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The agent's directory. A stored placement is not trusted to name it: it must be this driver's, for this tenant
   * and agent, under this data directory.
   */
  private Path agentDir(Placement placement) {
    DriverChecks.requireOwn(placement, NAME);
    return agentsRoot.resolve(placement.tenantId().toString()).resolve(placement.agentId().toString());
  }

  private static long longAttribute(Placement placement, String name) {
    try {
      return Long.parseLong(placement.attributes().getOrDefault(name, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Resolves a launch file's name inside {@code base}; a name that leads out of it is refused. */
  static Path inside(Path base, String relative) {
    Path resolved = base.resolve(relative).normalize();
    if (Path.of(relative).isAbsolute() || !resolved.startsWith(base) || resolved.equals(base)) {
      throw new IllegalArgumentException("launch file '" + relative + "' is not inside the state directory");
    }
    return resolved;
  }

  /** Writes a file readable only by its owner, atomically (written aside, then renamed). */
  private static void writePrivate(Path file, byte[] content) throws IOException {
    Path parent = file.getParent();
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(parent);
      Files.setPosixFilePermissions(parent, PRIVATE_DIR);
    }
    Path aside = parent.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try (FileChannel channel = FileChannel.open(aside, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
      channel.write(java.nio.ByteBuffer.wrap(content));
    }
    Files.setPosixFilePermissions(aside, PRIVATE_FILE);
    Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void clearRunFiles(Path run) throws IOException {
    for (String name : List.of(AgentWrapper.WRAPPER_PID, AgentWrapper.AGENT_PID, AgentWrapper.EXIT, RUN_RECORD)) {
      Files.deleteIfExists(run.resolve(name));
    }
  }

  /** A pid the wrapper wrote, or -1 while it is not (completely) there. */
  private static long readPid(Path file) {
    try {
      String s = Files.readString(file).trim();
      return s.isEmpty() ? -1 : Long.parseLong(s);
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static Optional<Integer> readExit(Path run) {
    long code = readPid(run.resolve(AgentWrapper.EXIT));
    return code < 0 ? Optional.empty() : Optional.of((int) code);
  }

  /** Signals these processes ({@code kill -s SIG pid...}): Java can send nothing but TERM and KILL. */
  private static void signal(List<Long> pids, String signal) {
    List<String> command = new ArrayList<>(List.of("kill", "-s", signal, "--"));
    pids.stream().filter(pid -> pid > 1 && pid != ProcessHandle.current().pid()).map(String::valueOf)
        .forEach(command::add);
    if (command.size() == 4) {
      return;
    }
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot signal processes " + pids, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Signals every process of a group: {@code kill -s SIG -- -pgid}, which Java cannot do by itself. */
  private static void signalGroup(long processGroup, String signal) {
    // "kill -- -1" would signal every process on the machine, "-0" Reef's own group: never anything but a real group
    if (processGroup <= 1 || processGroup == ProcessHandle.current().pid()) {
      throw new IllegalStateException("refusing to signal process group " + processGroup);
    }
    try {
      Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " -- -" + processGroup)
          .redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot signal process group " + processGroup, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }


  private String lastLines(Path logFile) {
    try {
      return String.join(" | ", AgentLog.lastLines(logFile, 5));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
