package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEgress;
import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.Observed;
import dev.reef.orchestration.Placement;
import dev.reef.testing.FakeRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The process driver as Reef runs it by default: every agent in a bubblewrap sandbox. The compute driver contract,
 * and the sandbox's mechanics seen from inside an agent (the attacks of two tenants on each other and on Reef are
 * in {@code SandboxEscapeIT}).
 */
class ProcessComputeDriverIT extends ProcessDriverITBase {

  private TestSandboxes.Door door;

  @Override
  protected Sandboxing sandboxing() {
    if (door == null) {
      door = TestSandboxes.sandboxing(dataDir, proxy.openAiBaseUrl(), AgentEgress.NONE);
    }
    return door.sandboxing();
  }

  @AfterEach
  void closeDoor() {
    if (door != null) {
      door.close();
    }
  }

  @Override
  protected void assertProxyBaseUrl(Placement p) {
    assertThat(p.proxyBaseUrl()).isEqualTo("http://127.0.0.1:" + Bubblewrap.LLM_PORT + "/v1");
  }

  @Override
  protected Set<String> driverVariables() {
    return Set.of("HOME", "TMPDIR", "PATH", "USER", "LOGNAME", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
        "https_proxy", "ALL_PROXY", "NO_PROXY", "no_proxy", "NODE_USE_ENV_PROXY");
  }

  @Test
  void create_placesTheAgentInItsSandbox_reachedOnlyThroughItsGatewaySocket() {
    Placement p = create();

    assertThat(p.address()).startsWith("unix:/").endsWith("/gateway/gateway.sock");
    assertThat(p.listenHost()).isEqualTo("127.0.0.1");
    assertThat(p.paths()).isEqualTo(Map.of("state", "/agent/state", "workspace", "/agent/workspace",
        "home", "/agent/home", "tmp", "/tmp"));
    assertThat(p.egressProxyUrl()).isEqualTo("http://127.0.0.1:" + Bubblewrap.EGRESS_PORT);
    assertThat(p.attributes()).containsEntry(ProcessComputeDriver.SANDBOX, "bubblewrap")
        .containsEntry(Placement.PEER_UID, p.attributes().get(ProcessComputeDriver.UID));
  }

  @Test
  void uids_oneForEachTenant_neverRoot_neverReefs() {
    Placement a1 = create();
    Placement a2 = create();
    Placement other = driver().create(new AgentSpec(TenantId.random(), UUID.randomUUID(), "other",
        FakeRuntime.NAME, FakeRuntime.VERSION, 512, 1000, PORT));
    trackForCleanup(other);

    String uid = a1.attributes().get(ProcessComputeDriver.UID);
    assertThat(a2.attributes().get(ProcessComputeDriver.UID)).isEqualTo(uid);
    assertThat(other.attributes().get(ProcessComputeDriver.UID)).isNotEqualTo(uid);
    if (sandboxing().support().separateUids()) {
      assertThat(Long.parseLong(uid)).isNotEqualTo(0).isNotEqualTo(UnixSockets.ownUid());
    }
  }

  @Test
  void agent_runsAsItsUid_withoutCapabilities_withoutNewPrivileges_andCannotMakeNamespaces() throws Exception {
    Placement p = startFakeAgent(create());

    Answer identity = exec(p, "id -u; id -G; grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' "
        + "/proc/self/status; unshare --user true 2>&1 && echo MADE-A-NAMESPACE");
    String uid = p.attributes().get(ProcessComputeDriver.UID);
    assertThat(identity.body()).startsWith(uid + "\n" + uid + "\n")
        .contains("CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "CapPrm:\t0000000000000000",
            "NoNewPrivs:\t1")
        .doesNotContain("MADE-A-NAMESPACE");
  }

  @Test
  void agent_seesOnlyItsOwnFilesAndProcesses() throws Exception {
    Placement p = startFakeAgent(create());

    Answer view = exec(p, "ls -A /; echo ---; ls /proc | grep -E '^[0-9]+$' | wc -l; echo ---; "
        + "touch /agent/workspace/mine && echo WROTE-OWN; touch /usr/bin/evil 2>&1 || echo RO-SYSTEM; "
        + "ls " + dataDir.toAbsolutePath() + " 2>&1 || echo NO-DATA-DIR; hostname");
    String[] parts = view.body().split("---\n");
    assertThat(parts[0].lines().toList()).doesNotContain("root", "home", "work", "srv", "mnt", "var")
        .contains("agent", "usr", "tmp", "proc", "dev", "etc", "run", "opt");
    // bubblewrap's init, the three socat doors, the JVM, the shell: a handful, none of the host's
    assertThat(Integer.parseInt(parts[1].trim())).isBetween(3, 12);
    assertThat(parts[2]).contains("WROTE-OWN", "RO-SYSTEM", "NO-DATA-DIR").endsWith("agent\n");
    assertThat(hostPath(p, "workspace").resolve("mine")).exists();
  }

  @Test
  void agent_hasNoNetwork_butLoopback() throws Exception {
    Placement p = startFakeAgent(create());
    int proxyPort = java.net.URI.create(proxy.openAiBaseUrl()).getPort();

    Answer net = exec(p, "cat /proc/net/dev | tail -n +3 | cut -d: -f1; "
        + "bash -c '(exec 3<>/dev/tcp/127.0.0.1/" + proxyPort + ") 2>/dev/null' && echo REACHED-HOST-LOOPBACK; "
        + "bash -c '(exec 3<>/dev/tcp/127.0.0.1/" + Bubblewrap.LLM_PORT + ") 2>/dev/null' && echo OWN-DOOR-OPEN; "
        + "curl -s -m 3 --noproxy '*' http://" + java.net.URI.create(proxy.openAiBaseUrl()).getHost() + ":"
        + proxyPort + "/ >/dev/null && echo REACHED-DIRECTLY; echo done");
    assertThat(net.body().lines().map(String::trim).toList()).contains("lo").doesNotContain("eth0");
    assertThat(net.body()).doesNotContain("REACHED").contains("OWN-DOOR-OPEN", "done");
  }

  @Test
  void reef_talksOnlyToTheAgentsUid_onItsGatewaySocket() {
    Placement p = startFakeAgent(create());
    assertThat(get(p, "/readyz", null).status()).isEqualTo(200);

    Map<String, String> attributes = new HashMap<>(p.attributes());
    attributes.put(Placement.PEER_UID, "4242424");
    Answer refused = get(p.withAttributes(attributes), "/readyz", null);

    assertThat(refused.status()).isEqualTo(-1);
    assertThat(refused.body()).contains("not as the agent's uid 4242424");
  }

  @Test
  void sandboxThatCannotBeSetUp_endsSayingSo() {
    Placement p = driver().start(create(), new Launch(List.of("/bin/true"), Map.of(), Map.of(),
        List.of(Path.of("/no/such/runtime"))));

    awaitObserved(driver(), p, Observed.CannotRun.class);
    Observed.CannotRun cannot = (Observed.CannotRun) driver().observe(p);
    assertThat(cannot.reason()).startsWith("the sandbox could not be set up").contains("/no/such/runtime");
  }

  @Test
  void aLinkTheAgentLeftInItsFiles_isRefused_notFollowedAsRoot() throws Exception {
    Placement p = startFakeAgent(create());
    Path outside = Files.createDirectories(dataDir.resolve("outside"));
    // as the agent: where Reef will write its config next time, a link to somewhere of the host's
    assertThat(exec(p, "rm -f /agent/state/" + FakeRuntime.CONFIG_FILE + " && ln -s " + outside
        + " /agent/state/config && echo planted").body()).contains("planted");
    Placement stopped = driver().stop(p, GRACE);

    Launch launch = new Launch(List.of("/bin/true"), Map.of(), Map.of("config/app.json", "{}".getBytes()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> driver().start(stopped, launch))
        .hasMessageContaining("Cannot prepare the files");
    assertThat(outside.resolve("app.json")).doesNotExist();
  }

  @Test
  void disk_isLimited_anAgentFillingItGetsNoSpace_andTheHostsDiskIsUntouched() throws Exception {
    Placement p = driver().create(new AgentSpec(tenant, UUID.randomUUID(), "small", FakeRuntime.NAME,
        FakeRuntime.VERSION, 512, 1000, PORT, 0, 64));
    trackForCleanup(p);
    dev.reef.testing.RequiredService.require(sandboxing().disks().usable() ? null : sandboxing().disks().describe(),
        "Disk limits need root, loop devices and e2fsprogs.");
    p = startFakeAgent(p);

    Answer fill = exec(p, "dd if=/dev/zero of=/agent/workspace/big bs=1M count=200 2>&1; df -m /agent | tail -1");
    assertThat(p.attributes()).containsEntry(ProcessComputeDriver.DISK_ENFORCEMENT, AgentDisks.ENFORCED);
    assertThat(fill.body()).contains("No space left on device");
    Path image = agentDir(p).resolve(AgentDisks.IMAGE);
    assertThat(Files.size(image)).isEqualTo(64L * 1024 * 1024);
    // sparse on the host: it takes what was written, never more than its size
    Process du = new ProcessBuilder("du", "--block-size=1", image.toString()).start();
    long allocated = Long.parseLong(new String(du.getInputStream().readAllBytes()).split("\\s+")[0]);
    assertThat(allocated).isLessThanOrEqualTo(64L * 1024 * 1024);
    assertThat(exec(p, "rm /agent/workspace/big && echo freed").body()).contains("freed");
  }

  @Test
  void processes_areLimited_aForkBombStaysInsideItsAgent() throws Exception {
    Placement p = driver().create(new AgentSpec(tenant, UUID.randomUUID(), "forky", FakeRuntime.NAME,
        FakeRuntime.VERSION, 512, 1000, PORT, 96, 0));
    trackForCleanup(p);
    p = startFakeAgent(p);
    assertThat(p.attributes().get(ProcessComputeDriver.PIDS_ENFORCEMENT)).startsWith("cgroup");

    Answer bomb = exec(p, "(i=0; while [ $i -lt 300 ]; do sleep 30 >/dev/null 2>&1 & i=$((i+1)); done) 2>&1 "
        + "| tail -2; echo end");
    assertThat(bomb.body()).containsIgnoringCase("fork").contains("end");
    Path pids = Path.of(p.attributes().get(ProcessComputeDriver.CGROUP_PIDS));
    assertThat(Files.readString(pids.resolve("pids.max")).trim()).isEqualTo("96");
    assertThat(Long.parseLong(Files.readString(pids.resolve("pids.current")).trim())).isLessThanOrEqualTo(96);
  }
}
