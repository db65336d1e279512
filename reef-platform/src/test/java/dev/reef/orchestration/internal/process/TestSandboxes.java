package dev.reef.orchestration.internal.process;

import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEgress;
import dev.reef.testing.RequiredService;
import dev.reef.testing.UnixForwarder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox as the process driver gets it in Reef, for tests that run the driver by itself: what this machine
 * allows (the real probe), uids handed out in memory, and an LLM door that leads to a test's mock provider.
 */
final class TestSandboxes {

  /** Uids for driver-only tests: above Reef's default range, so they never meet a tenant's. */
  private static final AtomicLong NEXT_UID = new AtomicLong(3_000_000 + ProcessHandle.current().pid() * 100);
  private static final Map<TenantId, Long> UIDS = new ConcurrentHashMap<>();
  private static volatile SandboxSupport.Status support;

  private TestSandboxes() {}

  /** What the machine allows; in CI the sandbox must be usable (a test that would skip fails instead). */
  static SandboxSupport.Status support() {
    if (support == null) {
      support = SandboxSupport.probe(UnixSockets.ownUid() == 0, 2_999_999);
    }
    RequiredService.require(support.problem().orElse(null), "Install bubblewrap and socat (apt-get install "
        + "bubblewrap socat) to run sandboxed agents.");
    return support;
  }

  static long uidOf(TenantId tenant) {
    return UIDS.computeIfAbsent(tenant, t -> NEXT_UID.incrementAndGet());
  }

  /**
   * A sandbox for agents whose files live in {@code dataDir}; their model calls go to {@code llmUrl} (an
   * {@code http://host:port/...} address, or null for none) through a {@link UnixForwarder} on this process's LLM
   * door, which the caller closes with {@link Door#close}.
   */
  static Door sandboxing(Path dataDir, String llmUrl, AgentEgress egress) {
    SandboxSupport.Status status = support();
    Path runRoot = new SandboxProperties(null, null, null, null, null).runBase(UnixSockets.ownUid() == 0)
        .resolve(ProcessDriverConfiguration.shortHash(dataDir.toAbsolutePath().normalize().toString()));
    LlmDoor door = new LlmDoor(runRoot.resolve("llm"));
    try {
      Files.createDirectories(runRoot);
      Files.setPosixFilePermissions(runRoot, PosixFilePermissions.fromString("rwx------"));
      door.prepare();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    UnixForwarder forwarder = null;
    if (llmUrl != null) {
      URI uri = URI.create(llmUrl);
      forwarder = new UnixForwarder(door.socket(), uri.getHost(), uri.getPort());
    }
    return new Door(new Sandboxing(true, status, TestSandboxes::uidOf, runRoot, door, egress,
        AgentDisks.detect(UnixSockets.ownUid() == 0)), forwarder, runRoot);
  }

  /** A sandbox and the forwarder behind its LLM door; closing it removes the sockets' directory it made. */
  record Door(Sandboxing sandboxing, UnixForwarder forwarder, Path runRoot) implements AutoCloseable {
    @Override
    public void close() {
      if (forwarder != null) {
        forwarder.close();
      }
      try (java.util.stream.Stream<Path> all = Files.walk(runRoot)) {
        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // best effort: a socket directory left in /run is small
      }
    }
  }
}
