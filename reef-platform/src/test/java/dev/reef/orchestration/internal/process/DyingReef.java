package dev.reef.orchestration.internal.process;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEgress;
import dev.reef.orchestration.AgentSpec;
import dev.reef.orchestration.Placement;
import dev.reef.orchestration.RuntimeContext;
import dev.reef.testing.Api;
import dev.reef.testing.FakeRuntime;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Stands in for a Reef that starts an agent and then dies: run as its own JVM by {@link ProcessDriverITBase},
 * it starts a fake agent with the process driver, prints the placement as JSON on one line, and waits to be killed.
 *
 * <p>Arguments: the data directory, the proxy base URL, the cgroup parent, whether to sandbox.
 */
final class DyingReef {

  private DyingReef() {}

  public static void main(String[] args) throws Exception {
    Sandboxing sandboxing = Boolean.parseBoolean(args[3])
        ? TestSandboxes.sandboxing(Path.of(args[0]), null, AgentEgress.NONE).sandboxing() : Sandboxing.off();
    ProcessComputeDriver driver = new ProcessComputeDriver(Path.of(args[0]), () -> args[1], ProcessTable.system(),
        Cgroups.detect(Path.of("/proc/self/mounts"), args[2]), new LogRotation(1024 * 1024, 3), null, sandboxing);
    Placement p = driver.create(new AgentSpec(TenantId.random(), UUID.randomUUID(), "orphan", FakeRuntime.NAME,
        FakeRuntime.VERSION, 512,
        1000, 18799));
    FakeRuntime runtime = new FakeRuntime();
    p = driver.start(p, runtime.launch(runtime.install(FakeRuntime.VERSION, line -> {}),
        new RuntimeContext(p, "agent-token", "gateway-token", "mock-model", 512)));
    System.out.println(Api.JSON.writeValueAsString(p));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
