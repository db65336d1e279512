package dev.reef.runtimes.internal.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.orchestration.RuntimeInstallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The npm steps and the checks of what they installed, with a fake {@code npm} (a shell script) that writes what
 * the real packages would, so no test here touches the network.
 */
class OpenClawInstallerTest {

  @TempDir
  Path dir;

  private Path npm;
  private Path calls;
  private Path cacheRoot;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  /**
   * Records each call (arguments and the environment it got), then behaves as {@code FAKE_NPM_MODE} says: ok, fail
   * (npm's error output for an unreachable registry), partial (writes openclaw, then fails), old-node, hang.
   */
  private static final String FAKE_NPM = """
      #!/bin/bash
      prefix="$3"; spec="${@: -1}"
      mode="$(cat "$(dirname "$0")/mode")"
      { echo "args: $*"; echo "PATH=$PATH"; echo "OPENCLAW_NO_AUTO_UPDATE=$OPENCLAW_NO_AUTO_UPDATE";
        echo "REEF_MASTER_KEY=$REEF_MASTER_KEY"; echo "npm_config_registry=$npm_config_registry"; echo "HOME=$HOME"; } \\
        >> "$(dirname "$0")/calls"
      case "$spec" in
        node@24)
          mkdir -p "$prefix/node_modules/node/bin"
          version=v24.16.0; [ "$mode" = old-node ] && version=v20.20.2
          printf '#!/bin/bash\\necho %s\\n' "$version" > "$prefix/node_modules/node/bin/node"
          chmod +x "$prefix/node_modules/node/bin/node"
          echo "added 2 packages in 1s" ;;
        openclaw@*)
          if [ "$mode" = fail ]; then
            echo "npm error code ENOTFOUND" >&2
            echo "npm error syscall getaddrinfo" >&2
            echo "npm error network request to https://registry.npmjs.org/openclaw failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org" >&2
            echo "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log" >&2
            exit 1
          fi
          [ "$mode" = hang ] && sleep 60
          mkdir -p "$prefix/node_modules/openclaw"
          echo '// entry point' > "$prefix/node_modules/openclaw/openclaw.mjs"
          echo "{\\"name\\":\\"openclaw\\",\\"version\\":\\"${spec#openclaw@}\\"}" > "$prefix/node_modules/openclaw/package.json"
          if [ "$mode" = partial ]; then echo "npm error code ECONNRESET" >&2; exit 1; fi
          echo "added 330 packages in 32s" ;;
      esac
      """;

  @BeforeEach
  void fakeNpm() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    npm = bin.resolve("npm");
    Files.writeString(npm, FAKE_NPM);
    Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
    calls = bin.resolve("calls");
    cacheRoot = dir.resolve("cache/openclaw");
    mode("ok");
  }

  @AfterEach
  void deleteReadOnlyTrees() throws IOException {
    InstallCache.deleteTree(dir.resolve("cache"));
  }

  private void mode(String mode) throws IOException {
    Files.writeString(npm.resolveSibling("mode"), mode);
  }

  private static final Map<String, String> HOST = Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/reef",
      "REEF_MASTER_KEY", "master-secret", "REEF_DATABASE_PASSWORD", "db-secret",
      "npm_config_registry", "https://npm.example.internal/");

  private OpenClawInstaller installer(Duration timeout) {
    return new OpenClawInstaller(npm, HOST, timeout);
  }

  private InstallCache cache(OpenClawInstaller installer) {
    return new InstallCache("openclaw", cacheRoot, installer, Clock.systemUTC());
  }

  @Test
  void install_installsNodeThenOpenClawWithThatNodeFirstOnThePath() throws IOException {
    Path home = cache(installer(Duration.ofSeconds(30))).install("2026.9.6", progress::add);

    List<String> log = Files.readAllLines(calls);
    List<String> args = log.stream().filter(line -> line.startsWith("args: ")).toList();
    assertThat(args).hasSize(2);
    assertThat(args.get(0)).startsWith("args: install --prefix " + cacheRoot.resolve(".2026.9.6.staging-"))
        .endsWith(" node@24");
    assertThat(args.get(1)).endsWith(" openclaw@2026.9.6");
    List<String> paths = log.stream().filter(line -> line.startsWith("PATH=")).toList();
    assertThat(paths.get(0)).isEqualTo("PATH=/usr/bin:/bin");
    assertThat(paths.get(1)).matches("PATH=.*/\\.2026\\.9\\.6\\.staging-[^/]*/node_modules/node/bin:/usr/bin:/bin");
    assertThat(log).contains("OPENCLAW_NO_AUTO_UPDATE=1", "npm_config_registry=https://npm.example.internal/",
        "HOME=/home/reef");
    assertThat(log).as("Reef's own secrets never reach npm or install scripts").contains("REEF_MASTER_KEY=")
        .noneMatch(line -> line.contains("secret"));

    assertThat(home.resolve(InstallCache.MARKER)).content().contains("node v24.16.0");
    assertThat(progress).contains("added 2 packages in 1s", "added 330 packages in 32s")
        .anyMatch(line -> line.startsWith("installing node 24"))
        .anyMatch(line -> line.startsWith("installing openclaw 2026.9.6"))
        .anyMatch(line -> line.matches("installed openclaw 2026\\.9\\.6 \\(node v24\\.16\\.0\\) in \\d+ s"));
  }

  @Test
  void install_registryUnreachable_failsWithNpmsOwnErrorLines() throws IOException {
    mode("fail");
    InstallCache cache = cache(installer(Duration.ofSeconds(30)));
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add))
        .isInstanceOf(RuntimeInstallException.class)
        .hasMessageStartingWith("installing openclaw 2026.9.6 failed: the npm registry is unreachable (exit code 1, "
            + "ENOTFOUND)")
        .hasMessageContaining("npm error network request to https://registry.npmjs.org/openclaw failed")
        .hasMessageNotContaining("A complete log");
    assertThat(cache.isInstalled("2026.9.6")).isFalse();
    assertThat(progress).contains("npm error code ENOTFOUND");
  }

  @Test
  void install_partialThenFailed_isNotInstalled_andTheNextCallRetries() throws IOException {
    mode("partial");
    InstallCache cache = cache(installer(Duration.ofSeconds(30)));
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add)).hasMessageContaining("ECONNRESET");
    assertThat(cache.isInstalled("2026.9.6")).isFalse();
    assertThat(cacheRoot.resolve("2026.9.6")).doesNotExist();
    try (Stream<Path> left = Files.list(cacheRoot)) {
      assertThat(left.map(Path::getFileName).map(Path::toString)).containsExactly(".2026.9.6.lock");
    }

    mode("ok");
    assertThat(cache.install("2026.9.6", progress::add).resolve(OpenClawInstaller.ENTRY_POINT)).exists();
  }

  @Test
  void install_nodeOlderThan24_isRejected() throws IOException {
    mode("old-node");
    InstallCache cache = cache(installer(Duration.ofSeconds(30)));
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add))
        .hasMessageContaining("v20.20.2").hasMessageContaining("needs 24 or newer");
    assertThat(cache.isInstalled("2026.9.6")).isFalse();
  }

  @Test
  void install_npmHangs_isKilledAfterTheTimeout() throws IOException {
    mode("hang");
    InstallCache cache = cache(installer(Duration.ofSeconds(2)));
    long started = System.nanoTime();
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add))
        .hasMessageContaining("npm did not finish in time");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    assertThat(cache.isInstalled("2026.9.6")).isFalse();
  }

  @Test
  void install_withoutNpm_saysWhatToInstall() {
    InstallCache cache = cache(new OpenClawInstaller(null, HOST, Duration.ofSeconds(30)));
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add))
        .isInstanceOf(RuntimeInstallException.class).hasMessageContaining("npm is not on Reef's PATH")
        .hasMessageContaining("apt-get install nodejs npm");
  }

  @Test
  void verify_missingEntryPointOrWrongVersion_isRejected() throws Exception {
    OpenClawInstaller installer = installer(Duration.ofSeconds(30));
    Path target = Files.createDirectories(dir.resolve("target"));
    assertThatThrownBy(() -> installer.verify("2026.9.6", target)).hasMessageContaining("openclaw.mjs is missing");

    Files.createDirectories(target.resolve("node_modules/openclaw"));
    Files.writeString(target.resolve(OpenClawInstaller.ENTRY_POINT), "//");
    Files.writeString(target.resolve("node_modules/openclaw/package.json"), "{\"version\":\"2026.9.5\"}");
    assertThatThrownBy(() -> installer.verify("2026.9.6", target))
        .hasMessageContaining("installed openclaw 2026.9.5 instead of 2026.9.6");
  }

  @Test
  void findNpm_looksOnThePath() {
    assertThat(OpenClawInstaller.findNpm(Map.of("PATH", "/nowhere:" + npm.getParent()))).contains(npm);
    assertThat(OpenClawInstaller.findNpm(Map.of("PATH", "/nowhere"))).isEmpty();
    assertThat(OpenClawInstaller.findNpm(Map.of())).isEmpty();
  }
}
