package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.orchestration.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedCopiesTest {

  @TempDir
  Path dir;

  @Test
  void aCopy_hasTheSourcesFiles_andItsLinksPointWhereTheAgentSeesTheTargets_andIsMadeOnce() throws IOException {
    Path source = plugin();
    Path runtime = Files.createDirectories(dir.resolve("runtime/node_modules/openclaw"));
    SharedCopies copies = new SharedCopies(dir.resolve("shared"));
    Launch.SharedDirectory shared = new Launch.SharedDirectory(source, "npm/projects/openclaw-slack",
        Map.of("node_modules/@openclaw/slack/node_modules/openclaw", runtime));

    Path copy = copies.copyFor(shared, UnixSockets.ownUid(), path -> path.replace(dir.toString(), "/opt/reef"));

    assertThat(copy.resolve("package.json")).hasContent("{\"dependencies\":{\"@openclaw/slack\":\"1.0.0\"}}");
    assertThat(copy.resolve("node_modules/@openclaw/slack/dist/index.js")).hasContent("export {}");
    // a read-only source (installs are shared so) still makes a complete copy
    assertThat(Files.readSymbolicLink(copy.resolve("node_modules/@openclaw/slack/node_modules/openclaw")))
        .isEqualTo(Path.of("/opt/reef/runtime/node_modules/openclaw"));
    assertThat(copy.resolve("node_modules/@openclaw/slack/bundled-link")).isSymbolicLink();

    Files.writeString(source.resolve("package.json"), "changed later");
    assertThat(copies.copyFor(shared, UnixSockets.ownUid(), path -> path.replace(dir.toString(), "/opt/reef")))
        .isEqualTo(copy);
    assertThat(copy.resolve("package.json")).content().doesNotContain("changed later");
    // another place for the runtime inside: another copy, with its link there
    Path other = copies.copyFor(shared, UnixSockets.ownUid(), path -> path.replace(dir.toString(), "/elsewhere"));
    assertThat(other).isNotEqualTo(copy);
    assertThat(Files.readSymbolicLink(other.resolve("node_modules/@openclaw/slack/node_modules/openclaw")))
        .isEqualTo(Path.of("/elsewhere/runtime/node_modules/openclaw"));
  }

  @Test
  void withoutASandbox_theCopyGoesIntoTheAgentsState_andIsRenewedOnlyWhenItsSourceOrLinksChange()
      throws IOException {
    Path source = plugin();
    Path runtime = Files.createDirectories(dir.resolve("runtime/node_modules/openclaw"));
    Path target = dir.resolve("agent/state/npm/projects/openclaw-slack");
    SharedCopies copies = new SharedCopies(dir.resolve("shared"));
    Launch.SharedDirectory shared = new Launch.SharedDirectory(source, "npm/projects/openclaw-slack",
        Map.of("node_modules/@openclaw/slack/node_modules/openclaw", runtime));

    copies.copyInto(shared, target, UnixSockets.ownUid());
    assertThat(Files.readSymbolicLink(target.resolve("node_modules/@openclaw/slack/node_modules/openclaw")))
        .isEqualTo(runtime);
    Files.writeString(target.resolve("kept"), "the agent's");
    copies.copyInto(shared, target, UnixSockets.ownUid());
    assertThat(target.resolve("kept")).exists();
    copies.copyInto(new Launch.SharedDirectory(source, shared.at(), Map.of()), target, UnixSockets.ownUid());
    assertThat(target.resolve("kept")).doesNotExist();
  }

  @Test
  void aSharedDirectory_staysBelowTheStateDirectory_andItsLinksInsideTheCopy() throws IOException {
    assertThatThrownBy(() -> new Launch.SharedDirectory(dir, "../workspace", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Launch.SharedDirectory(dir, "/etc", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    Launch.SharedDirectory escaping = new Launch.SharedDirectory(plugin(), "npm/projects/x",
        Map.of("../../outside", dir));
    assertThatThrownBy(() -> new SharedCopies(dir.resolve("shared")).copyFor(escaping, UnixSockets.ownUid(),
        path -> path)).isInstanceOf(IOException.class).hasMessageContaining("inside");
  }

  /** A plugin project as npm leaves it, shared read-only as Reef's install cache does. */
  private Path plugin() throws IOException {
    Path source = dir.resolve("plugin-" + System.nanoTime());
    Path pkg = Files.createDirectories(source.resolve("node_modules/@openclaw/slack/dist"));
    Files.writeString(source.resolve("package.json"), "{\"dependencies\":{\"@openclaw/slack\":\"1.0.0\"}}");
    Files.writeString(pkg.resolve("index.js"), "export {}");
    Files.createSymbolicLink(pkg.resolveSibling("bundled-link"), Path.of("dist/index.js"));
    for (Path p : new Path[] {pkg, pkg.getParent()}) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    return source;
  }
}
