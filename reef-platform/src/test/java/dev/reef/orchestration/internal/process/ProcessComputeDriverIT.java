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

    awaitObserved(driver(), p, Observed.Exited.class);
    Observed.Exited exited = (Observed.Exited) driver().observe(p);
    assertThat(exited.reason()).startsWith("the sandbox could not be set up").contains("/no/such/runtime");
  }

  @Test
  void agentFilesLeftAsALink_areRefused_notFollowedAsRoot() throws Exception {
    Placement p = driver().stop(startFakeAgent(create()), GRACE);
    Path state = hostPath(p, "state");
    Path outside = Files.createDirectories(dataDir.resolve("outside"));
    Files.delete(state.resolve(FakeRuntime.CONFIG_FILE));
    Files.createSymbolicLink(state.resolve("config"), outside);

    Launch launch = new Launch(List.of("/bin/true"), Map.of(), Map.of("config/app.json", "{}".getBytes()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> driver().start(p, launch))
        .hasMessageContaining("Cannot prepare the files");
    assertThat(outside.resolve("app.json")).doesNotExist();
  }
}
