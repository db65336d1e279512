package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Control groups on a fake hierarchy (plain directories standing in for cgroupfs), v1 and v2. */
class CgroupsTest {

  @TempDir
  Path root;

  private final UUID agent = UUID.randomUUID();

  private Path mounts(String... lines) throws IOException {
    return Files.writeString(root.resolve("mounts"), String.join("\n", lines) + "\n");
  }

  @Test
  void v1_limitsGoIntoEachControllersOwnHierarchy() throws IOException {
    Path memory = Files.createDirectories(root.resolve("memory"));
    Path cpu = Files.createDirectories(root.resolve("cpu,cpuacct"));
    Cgroups cgroups = Cgroups.detect(mounts(
        "proc /proc proc rw,nosuid 0 0",
        "cgroup " + memory + " cgroup rw,relatime,memory 0 0",
        "cgroup " + cpu + " cgroup rw,relatime,cpu,cpuacct 0 0"), "reef");

    Cgroups.Prepared prepared = cgroups.prepare(agent, 512, 1500, 0);

    assertThat(prepared.memoryEnforcement()).isEqualTo("cgroup-v1");
    assertThat(prepared.cpuEnforcement()).isEqualTo("cgroup-v1");
    Path memoryGroup = memory.resolve("reef").resolve(agent.toString());
    Path cpuGroup = cpu.resolve("reef").resolve(agent.toString());
    assertThat(memoryGroup.resolve("memory.limit_in_bytes")).hasContent(Long.toString(512L * 1024 * 1024));
    assertThat(cpuGroup.resolve("cpu.cfs_quota_us")).hasContent("15000");
    assertThat(cpuGroup.resolve("cpu.cfs_period_us")).hasContent("10000");
    assertThat(prepared.procsFiles()).containsExactly(memoryGroup.resolve("cgroup.procs"),
        cpuGroup.resolve("cgroup.procs"));
    assertThat(cgroups.groupsOf(agent)).containsExactly(memoryGroup, cpuGroup);
    assertThat(cgroups.describe()).contains("memory limits are enforced by the cgroup v1 memory controller");
    // agents as a whole yield to Reef's own threads when the CPU is contended
    assertThat(cpu.resolve("reef").resolve("cpu.shares")).hasContent("128");
  }

  @Test
  void v1_processLimit_goesIntoThePidsHierarchy() throws IOException {
    Path memory = Files.createDirectories(root.resolve("memory"));
    Path pids = Files.createDirectories(root.resolve("pids"));
    Cgroups cgroups = Cgroups.detect(mounts(
        "cgroup " + memory + " cgroup rw,relatime,memory 0 0",
        "cgroup " + pids + " cgroup rw,relatime,pids 0 0"), "reef");

    Cgroups.Prepared prepared = cgroups.prepare(agent, 512, 0, 128);

    Path pidsGroup = pids.resolve("reef").resolve(agent.toString());
    assertThat(prepared.pidsEnforcement()).isEqualTo("cgroup-v1");
    assertThat(pidsGroup.resolve("pids.max")).hasContent("128");
    assertThat(prepared.procsFiles()).contains(pidsGroup.resolve("cgroup.procs"));
    assertThat(cgroups.prepare(agent, 512, 0, 0).pidsDir().resolve("pids.max")).hasContent("max");
  }

  @Test
  void v1_noCpuLimit_theAgentJoinsNoCpuGroup_andAnEarlierOneIsRemoved() throws IOException {
    Path memory = Files.createDirectories(root.resolve("memory"));
    Path cpu = Files.createDirectories(root.resolve("cpu,cpuacct"));
    Cgroups cgroups = Cgroups.detect(mounts(
        "cgroup " + memory + " cgroup rw,relatime,memory 0 0",
        "cgroup " + cpu + " cgroup rw,relatime,cpu,cpuacct 0 0"), "reef");
    Path cpuGroup = cpu.resolve("reef").resolve(agent.toString());
    // an earlier start's group (empty here: in a real cgroupfs the control files go with the directory)
    Files.createDirectories(cpuGroup);

    Cgroups.Prepared prepared = cgroups.prepare(agent, 512, 0, 0);

    Path memoryGroup = memory.resolve("reef").resolve(agent.toString());
    assertThat(prepared.cpuEnforcement()).isEqualTo("unlimited");
    assertThat(prepared.procsFiles()).containsExactly(memoryGroup.resolve("cgroup.procs"));
    assertThat(cpuGroup).doesNotExist();
    assertThat(cgroups.groupsOf(agent)).containsExactly(memoryGroup);
  }

  @Test
  void v2_oneGroupForBoth_withTheControllersEnabledDownThePath() throws IOException {
    Path unified = Files.createDirectories(root.resolve("unified"));
    Files.writeString(unified.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Cgroups cgroups = Cgroups.detect(mounts("cgroup2 " + unified + " cgroup2 rw,nosuid 0 0"), "reef");

    Cgroups.Prepared prepared = cgroups.prepare(agent, 256, 0, 300);

    Path group = unified.resolve("reef").resolve(agent.toString());
    assertThat(prepared.memoryEnforcement()).isEqualTo("cgroup-v2");
    assertThat(prepared.pidsEnforcement()).isEqualTo("cgroup-v2");
    assertThat(group.resolve("memory.max")).hasContent(Long.toString(256L * 1024 * 1024));
    assertThat(group.resolve("cpu.max")).hasContent("max 10000");
    assertThat(group.resolve("pids.max")).hasContent("300");
    assertThat(unified.resolve("reef").resolve("cpu.weight")).hasContent("13");
    assertThat(prepared.procsFiles()).containsExactly(group.resolve("cgroup.procs"));
    assertThat(unified.resolve("reef").resolve("cgroup.subtree_control")).exists();
    assertThat(unified.resolve("cgroup.subtree_control")).exists();
  }

  @Test
  void hybrid_aControllerMountedAsV1_isUsedThere() throws IOException {
    Path memory = Files.createDirectories(root.resolve("memory"));
    Path unified = Files.createDirectories(root.resolve("unified"));
    Files.writeString(unified.resolve("cgroup.controllers"), "hugetlb\n");
    Cgroups cgroups = Cgroups.detect(mounts(
        "cgroup2 " + unified + " cgroup2 rw 0 0",
        "cgroup " + memory + " cgroup rw,memory 0 0"), "reef");

    Cgroups.Prepared prepared = cgroups.prepare(agent, 64, 1000, 0);

    assertThat(prepared.memoryEnforcement()).isEqualTo("cgroup-v1");
    assertThat(prepared.cpuEnforcement()).isEqualTo("none");
    assertThat(cgroups.describe()).contains("cpu limits are NOT enforced: no cpu controller is mounted");
  }

  @Test
  void noControllers_orDisabled_enforceNothing_andSayWhy() throws IOException {
    Cgroups none = Cgroups.detect(mounts("proc /proc proc rw 0 0"), "reef");
    assertThat(none.prepare(agent, 512, 1000, 100))
        .isEqualTo(new Cgroups.Prepared(null, null, null, "none", "none", "none"));
    assertThat(none.enforcesMemory()).isFalse();
    assertThat(none.groupsOf(agent)).isEmpty();

    Cgroups off = Cgroups.disabled("switched off");
    assertThat(off.prepare(agent, 512, 1000, 100).procsFiles()).isEmpty();
    assertThat(off.describe()).contains("memory limits are NOT enforced: switched off");
    assertThat(Cgroups.detect(root.resolve("missing"), "reef").describe()).contains("cannot read");
  }

  @Test
  void outOfMemoryKills_readsEitherVersionsCounter() throws IOException {
    Path v1 = Files.createDirectories(root.resolve("v1"));
    Files.writeString(v1.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
    Path v2 = Files.createDirectories(root.resolve("v2"));
    Files.writeString(v2.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n");

    assertThat(Cgroups.outOfMemoryKills(v1)).isTrue();
    assertThat(Cgroups.outOfMemoryKills(v2)).isFalse();
    assertThat(Cgroups.outOfMemoryKills(root.resolve("gone"))).isFalse();
    assertThat(Cgroups.members(root.resolve("gone"))).isEmpty();
  }
}
