package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Per-agent control groups, which is how Linux enforces an agent's memory, CPU and process limits: the kernel
 * accounts all the agent's processes together, refuses a fork past its process limit, kills one when the group
 * exceeds its memory limit, and throttles the group to its
 * CPU quota. Works with cgroup v1 (a hierarchy per controller) and v2 (one unified hierarchy, where a controller
 * must be enabled on every level down to the group); where both exist (hybrid), a controller mounted as v1 is only
 * usable there.
 *
 * <p>Each agent gets {@code <controller mount>/<parent>/<agent id>}. The parent ({@code REEF_PROCESS_CGROUP_PARENT},
 * default {@code reef}) is made at the top of each hierarchy, as container engines do, which needs root or a
 * delegated hierarchy. When that is not possible the limit is not enforced, and the reason is said at start-up.
 */
final class Cgroups {

  enum Version { V1, V2 }

  /** A controller usable under {@code parent}, or the reason it is not ({@code parent} null). */
  record Controller(String name, Version version, Path parent, String status) {
    boolean usable() {
      return parent != null;
    }

    String enforcement() {
      return "cgroup-" + version.name().toLowerCase(Locale.ROOT);
    }
  }

  /** What one start of an agent got. A null directory means that limit is not enforced. */
  record Prepared(Path memoryDir, Path cpuDir, Path pidsDir, String memoryEnforcement, String cpuEnforcement,
      String pidsEnforcement) {

    /** The {@code cgroup.procs} files the agent joins before it starts, without duplicates (v2 has one group). */
    List<Path> procsFiles() {
      Set<Path> dirs = new LinkedHashSet<>();
      for (Path dir : java.util.Arrays.asList(memoryDir, cpuDir, pidsDir)) {
        if (dir != null) {
          dirs.add(dir);
        }
      }
      return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }
  }

  static final String NOT_ENFORCED = "none";
  /** No CPU limit was asked for, so none is set. */
  static final String UNLIMITED = "unlimited";
  /**
   * The CFS period, 10 ms rather than the kernel's 100: an agent over its quota runs on every core until the quota
   * of the period is spent, then waits for the next. With 100 ms periods an agent limited to half a core on a
   * two-core machine holds both cores for 25 ms at a time, and another tenant's request that arrives then waits
   * that long; with 10 ms, 2.5 ms (measured: docs/benchmarks.md, noisy neighbour).
   */
  static final long CPU_PERIOD_MICROS = 10_000;
  /** The agents' parent group's CPU weight: cgroup v1 shares (default 1024), v2 weight (default 100). */
  static final long AGENTS_CPU_SHARES = 128;
  static final long AGENTS_CPU_WEIGHT = 13;
  /** The kernel's smallest CFS quota (1 ms): an agent's CPU limit is never below a tenth of a core. */
  private static final long CPU_MIN_QUOTA_MICROS = 1_000;

  private final Controller memory;
  private final Controller cpu;
  private final Controller pids;

  private Cgroups(Controller memory, Controller cpu, Controller pids) {
    this.memory = memory;
    this.cpu = cpu;
    this.pids = pids;
  }

  static Cgroups disabled(String reason) {
    return new Cgroups(new Controller("memory", null, null, reason), new Controller("cpu", null, null, reason),
        new Controller("pids", null, null, reason));
  }

  /**
   * Finds the memory and cpu controllers in {@code mounts} (the format of {@code /proc/self/mounts}) and makes the
   * parent group in each; a controller whose parent cannot be made is left out, with the reason.
   */
  static Cgroups detect(Path mounts, String parentName) {
    List<String[]> entries;
    try {
      entries = Files.readAllLines(mounts).stream().map(l -> l.split(" ")).filter(f -> f.length >= 4).toList();
    } catch (IOException e) {
      return disabled("cannot read " + mounts + " (" + e.getMessage() + ")");
    }
    return new Cgroups(find(entries, "memory", parentName), find(entries, "cpu", parentName),
        find(entries, "pids", parentName));
  }

  private static Controller find(List<String[]> mounts, String name, String parentName) {
    Path v2 = null;
    for (String[] m : mounts) {
      Path mountPoint = Path.of(unescape(m[1]));
      if (m[2].equals("cgroup") && Arrays.asList(m[3].split(",")).contains(name)) {
        return makeParent(name, Version.V1, mountPoint, parentName);
      }
      if (m[2].equals("cgroup2") && v2 == null && v2Controllers(mountPoint).contains(name)) {
        v2 = mountPoint;
      }
    }
    return v2 != null ? makeParent(name, Version.V2, v2, parentName)
        : new Controller(name, null, null, "no " + name + " controller is mounted (neither cgroup v1 nor v2)");
  }

  private static Controller makeParent(String name, Version version, Path mountPoint, String parentName) {
    // "./x": under Reef's own group (a delegated subtree), so agents stay inside whatever contains Reef - a
    // service's or a sandbox's group - and whoever manages that group still sees them. "x": at the top.
    Path base = mountPoint;
    String relative = parentName;
    if (parentName.startsWith("./")) {
      String own = ownGroup(name, version);
      base = own.isEmpty() ? mountPoint : mountPoint.resolve(own.substring(1));
      relative = parentName.substring(2);
    }
    Path parent = base.resolve(relative).normalize();
    try {
      Files.createDirectories(parent);
      if (version == Version.V2) {
        // v2 gives a controller to a group only when every ancestor enables it for its subtree
        Path level = mountPoint;
        while (true) {
          Files.writeString(level.resolve("cgroup.subtree_control"), "+" + name);
          if (level.equals(parent)) {
            break;
          }
          level = level.resolve(parent.getName(level.getNameCount()));
        }
      }
    } catch (IOException e) {
      return new Controller(name, version, null, "cannot set up " + parent + " (" + e + "); Reef needs root or a "
          + "delegated cgroup hierarchy for this");
    }
    String weight = "";
    if (name.equals("cpu")) {
      // All agents together weigh an eighth of one of Reef's threads when the CPU is contended: Reef serves every
      // tenant (the LLM proxy, the API), so a busy agent must not delay it. Each agent's own limit is its quota;
      // the weight only decides who waits when everyone wants a core (measured: docs/benchmarks.md).
      String file = version == Version.V1 ? "cpu.shares" : "cpu.weight";
      String value = version == Version.V1 ? Long.toString(AGENTS_CPU_SHARES) : Long.toString(AGENTS_CPU_WEIGHT);
      try {
        Files.writeString(parent.resolve(file), value);
        weight = ", all agents together weighted " + file + "=" + value;
      } catch (IOException e) {
        weight = " (could not lower the agents' CPU weight: " + e.getMessage() + ")";
      }
    }
    return new Controller(name, version, parent, "the cgroup " + version.name().toLowerCase(Locale.ROOT) + " "
        + name + " controller, one group per agent under " + parent + weight);
  }

  /** Reef's own group for a controller, from /proc/self/cgroup (e.g. "/system.slice/reef.service"), or "". */
  private static String ownGroup(String controller, Version version) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] f = line.split(":", 3);
        if (f.length == 3 && (version == Version.V2 ? f[1].isEmpty()
            : Arrays.asList(f[1].split(",")).contains(controller))) {
          return f[2].equals("/") ? "" : f[2];
        }
      }
    } catch (IOException e) {
      // no /proc: the top it is
    }
    return "";
  }

  private static Set<String> v2Controllers(Path v2Mount) {
    try {
      return Set.of(Files.readString(v2Mount.resolve("cgroup.controllers")).trim().split("\\s+"));
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** /proc/self/mounts writes a space in a path as \040. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      if (field.charAt(i) == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(field.charAt(i));
      }
    }
    return out.toString();
  }

  /** For the start-up log: what is enforced and how. */
  String describe() {
    return describe(memory) + "; " + describe(cpu) + "; " + describe(pids);
  }

  boolean enforcesMemory() {
    return memory.usable();
  }

  private static String describe(Controller c) {
    return c.name() + " limits " + (c.usable() ? "are enforced by " : "are NOT enforced: ") + c.status();
  }

  /**
   * Makes the agent's groups afresh (removing those of an earlier start, whose counters would mislead) with these
   * limits; 0 or less means unlimited. A controller that fails here is not enforced for this start.
   */
  Prepared prepare(UUID agentId, long memoryMb, long cpuMillis, long maxProcesses) {
    Path memoryDir = null;
    if (memory.usable()) {
      String limit = memoryMb > 0 ? Long.toString(memoryMb * 1024 * 1024)
          : memory.version() == Version.V1 ? "-1" : "max";
      memoryDir = write(fresh(memory, agentId),
          memory.version() == Version.V1 ? "memory.limit_in_bytes" : "memory.max", limit);
    }
    Path cpuDir = null;
    String cpuEnforcement = NOT_ENFORCED;
    boolean sharedDir = memoryDir != null && cpu.usable() && cpu.parent().equals(memory.parent());
    if (cpu.usable() && cpuMillis <= 0 && !sharedDir) {
      // No CPU limit, and a group of its own only for the CPU (cgroup v1): the agent stays out of it. In a v1 group
      // all the agent's threads and processes share the weight of one ordinary thread, so an unlimited agent would
      // get less CPU than the same program started by hand whenever the machine is busy.
      remove(cpu.parent().resolve(agentId.toString()));
      cpuEnforcement = UNLIMITED;
    } else if (cpu.usable()) {
      cpuDir = sharedDir ? memoryDir : fresh(cpu, agentId);
      String quota = cpuMillis > 0
          ? Long.toString(Math.max(CPU_MIN_QUOTA_MICROS, cpuMillis * CPU_PERIOD_MICROS / 1000)) : null;
      if (cpu.version() == Version.V1) {
        cpuDir = write(write(cpuDir, "cpu.cfs_period_us", Long.toString(CPU_PERIOD_MICROS)), "cpu.cfs_quota_us",
            quota == null ? "-1" : quota);
      } else {
        cpuDir = write(cpuDir, "cpu.max", (quota == null ? "max" : quota) + " " + CPU_PERIOD_MICROS);
      }
      cpuEnforcement = cpuDir == null ? NOT_ENFORCED : cpu.enforcement();
    }
    // The pids controller counts tasks, threads included: a fork bomb stays inside its agent
    Path pidsDir = null;
    if (pids.usable()) {
      Path dir = memoryDir != null && pids.parent().equals(memory.parent()) ? memoryDir : fresh(pids, agentId);
      pidsDir = write(dir, "pids.max", maxProcesses > 0 ? Long.toString(maxProcesses) : "max");
    }
    return new Prepared(memoryDir, cpuDir, pidsDir, memoryDir == null ? NOT_ENFORCED : memory.enforcement(),
        cpuEnforcement, pidsDir == null ? NOT_ENFORCED : pids.enforcement());
  }

  /** The groups an agent has, or would have, under the parents in use now. */
  List<Path> groupsOf(UUID agentId) {
    return Stream.of(memory, cpu, pids).filter(Controller::usable).map(c -> c.parent().resolve(agentId.toString()))
        .distinct().filter(Files::isDirectory).toList();
  }

  private static Path fresh(Controller controller, UUID agentId) {
    Path dir = controller.parent().resolve(agentId.toString());
    remove(dir);
    try {
      Files.createDirectories(dir);
      return dir;
    } catch (IOException e) {
      return null;
    }
  }

  /** Writes a control file; null (not enforced) when the kernel refuses or there is no group. */
  private static Path write(Path dir, String file, String value) {
    if (dir == null) {
      return null;
    }
    try {
      Files.writeString(dir.resolve(file), value);
      return dir;
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether {@code dir} is a control group: a directory on a cgroup (v1 or v2) filesystem. */
  static boolean isControlGroup(Path dir) {
    try {
      return Files.isDirectory(dir) && Set.of("cgroup", "cgroup2").contains(Files.getFileStore(dir).type());
    } catch (IOException e) {
      return false;
    }
  }

  /** The processes in a group, per its {@code cgroup.procs}; none when the group does not exist. */
  static List<Long> members(Path dir) {
    try {
      List<Long> pids = new ArrayList<>();
      for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.trim()));
        }
      }
      return pids;
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the kernel has killed a process of this group for exceeding its memory limit. */
  static boolean outOfMemoryKills(Path memoryDir) {
    for (String file : List.of("memory.oom_control", "memory.events")) {
      try {
        for (String line : Files.readAllLines(memoryDir.resolve(file))) {
          if (line.startsWith("oom_kill ")) {
            return Long.parseLong(line.substring(9).trim()) > 0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // the other version's file
      }
    }
    return false;
  }

  /** Removes a group that has no processes left; one that still has some, or is gone, is left as it is. */
  static boolean remove(Path dir) {
    try {
      Files.deleteIfExists(dir);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
