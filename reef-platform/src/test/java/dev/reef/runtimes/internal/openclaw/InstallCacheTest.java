package dev.reef.runtimes.internal.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.orchestration.RuntimeInstallException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Install state: when a version counts as installed, and how concurrent and failed installs behave. */
class InstallCacheTest {

  @TempDir
  Path root;

  private final List<String> progress = new CopyOnWriteArrayList<>();
  private final AtomicInteger installs = new AtomicInteger();

  @AfterEach
  void deleteReadOnlyTrees() throws IOException {
    // installed trees are read-only, which JUnit's own clean-up of the temp dir does not expect
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.toList()) {
        InstallCache.deleteTree(child);
      }
    }
  }

  /** Writes a small tree, like a real install, after an optional pause. */
  private InstallCache.Installer installer(Duration pause, RuntimeException failure) {
    return new InstallCache.Installer() {
      @Override
      public void install(String version, Path target, Consumer<String> progress) throws InterruptedException {
        installs.incrementAndGet();
        progress.accept("installing " + version);
        Thread.sleep(pause);
        try {
          Files.createDirectories(target.resolve("node_modules/openclaw"));
          Files.writeString(target.resolve("node_modules/openclaw/openclaw.mjs"), "// " + version);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        if (failure != null) {
          throw failure;
        }
      }

      @Override
      public String verify(String version, Path target) {
        return "verified";
      }
    };
  }

  private InstallCache cache(InstallCache.Installer installer) {
    return new InstallCache("openclaw", root, installer, Clock.systemUTC());
  }
  /** Agents run as uids of their own and must read the install, whatever umask the installer ran with. */
  @Test
  void install_isReadableAndRunnableByEveryone_andWritableByNoOne() throws IOException {
    InstallCache.Installer privateFiles = new InstallCache.Installer() {
      @Override
      public void install(String version, Path target, Consumer<String> progress) {
        try {
          Path bin = Files.createDirectories(target.resolve("node_modules/node/bin"),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          Files.setPosixFilePermissions(target.resolve("node_modules"), PosixFilePermissions.fromString("rwx------"));
          Files.writeString(bin.resolve("node"), "#!/bin/sh");
          Files.setPosixFilePermissions(bin.resolve("node"), PosixFilePermissions.fromString("rwx------"));
          Files.writeString(target.resolve("node_modules/README"), "docs");
          Files.setPosixFilePermissions(target.resolve("node_modules/README"),
              PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public String verify(String version, Path target) {
        return "verified";
      }
    };

    Path home = cache(privateFiles).install("2026.9.6", progress::add);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("node_modules/node/bin"))))
        .isEqualTo("r-xr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        home.resolve("node_modules/node/bin/node")))).isEqualTo("r-xr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("node_modules/README"))))
        .isEqualTo("r--r--r--");
  }


  @Test
  void install_firstTime_installsVerifiesAndMarksItThenIsFast() {
    InstallCache cache = cache(installer(Duration.ZERO, null));
    assertThat(cache.isInstalled("2026.9.6")).isFalse();

    Path home = cache.install("2026.9.6", progress::add);
    Path again = cache.install("2026.9.6", progress::add);

    assertThat(home).isEqualTo(root.resolve("2026.9.6")).isEqualTo(again);
    assertThat(installs).hasValue(1);
    assertThat(cache.isInstalled("2026.9.6")).isTrue();
    assertThat(home.resolve("node_modules/openclaw/openclaw.mjs")).exists();
    assertThat(home.resolve(InstallCache.MARKER)).content().contains("openclaw 2026.9.6", "verified");
    assertThat(progress).contains("installing 2026.9.6")
        .anyMatch(line -> line.startsWith("installed openclaw 2026.9.6"));
    assertThat(siblings()).containsExactlyInAnyOrder("2026.9.6", ".2026.9.6.lock");
  }

  @Test
  void install_leavesTheInstalledTreeReadOnlyForEveryone() throws IOException {
    Path home = cache(installer(Duration.ZERO, null)).install("2026.9.6", progress::add);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("r-xr-xr-x");
    for (Path path : List.of(home, home.resolve("node_modules"), home.resolve("node_modules/openclaw/openclaw.mjs"))) {
      assertThat(Files.getPosixFilePermissions(path)).as(path.toString())
          .doesNotContain(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.OTHERS_WRITE);
    }
  }

  @Test
  void install_failure_leavesNothingThatLooksInstalled_andTheNextCallRetries() {
    InstallCache failing = cache(installer(Duration.ZERO,
        new RuntimeInstallException("installing openclaw 2026.9.6 failed: the npm registry is unreachable", null)));
    assertThatThrownBy(() -> failing.install("2026.9.6", progress::add))
        .isInstanceOf(RuntimeInstallException.class).hasMessageContaining("unreachable");
    assertThat(failing.isInstalled("2026.9.6")).isFalse();
    assertThat(siblings()).as("no half-installed tree, no staging left").containsExactly(".2026.9.6.lock");

    Path home = cache(installer(Duration.ZERO, null)).install("2026.9.6", progress::add);
    assertThat(home.resolve(InstallCache.MARKER)).exists();
    assertThat(installs).hasValue(2);
  }

  @Test
  void install_unexpectedFailure_isReportedAsAnInstallFailure() {
    InstallCache cache = cache(installer(Duration.ZERO, new IllegalStateException("boom")));
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add))
        .isInstanceOf(RuntimeInstallException.class).hasMessageContaining("could not install openclaw 2026.9.6")
        .hasMessageContaining("boom");
    assertThat(siblings()).containsExactly(".2026.9.6.lock");
  }

  @Test
  void install_failedVerification_isNotInstalled() {
    InstallCache cache = cache(new InstallCache.Installer() {
      @Override
      public void install(String version, Path target, Consumer<String> progress) {}

      @Override
      public String verify(String version, Path target) {
        throw new RuntimeInstallException("openclaw " + version + " is incomplete: openclaw.mjs is missing", null);
      }
    });
    assertThatThrownBy(() -> cache.install("2026.9.6", progress::add)).hasMessageContaining("incomplete");
    assertThat(cache.isInstalled("2026.9.6")).isFalse();
    assertThat(siblings()).containsExactly(".2026.9.6.lock");
  }

  /** What a killed install or a copied, partial tree leaves: neither counts, and the next install cleans it up. */
  @Test
  void isInstalled_partialTrees_areNot_andInstallReplacesThem() throws IOException {
    Files.createDirectories(root.resolve("2026.9.6/node_modules/openclaw"));
    Files.createDirectories(root.resolve(".2026.9.6.staging-123/node_modules/node/bin"));
    Files.writeString(root.resolve(".2026.9.6.staging-123/node_modules/node/bin/node"), "half");
    InstallCache cache = cache(installer(Duration.ZERO, null));
    assertThat(cache.isInstalled("2026.9.6")).isFalse();

    cache.install("2026.9.6", progress::add);

    assertThat(cache.isInstalled("2026.9.6")).isTrue();
    assertThat(siblings()).containsExactlyInAnyOrder("2026.9.6", ".2026.9.6.lock");
    assertThat(progress).anyMatch(line -> line.contains("unfinished earlier install"))
        .anyMatch(line -> line.contains("incomplete install"));
  }

  @Test
  void install_concurrentCallers_shareOneInstall() throws Exception {
    InstallCache cache = cache(installer(Duration.ofMillis(300), null));
    int callers = 8;
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Path>> homes = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        homes.add(pool.submit(() -> {
          start.await();
          return cache.install("2026.9.6", progress::add);
        }));
      }
      start.countDown();
      for (Future<Path> home : homes) {
        assertThat(home.get(10, TimeUnit.SECONDS)).isEqualTo(root.resolve("2026.9.6"));
      }
    }
    assertThat(installs).hasValue(1);
    assertThat(progress).anyMatch(line -> line.startsWith("waiting for the install of openclaw 2026.9.6"));
  }

  @Test
  void install_differentVersions_doNotWaitForEachOther() {
    InstallCache cache = cache(installer(Duration.ZERO, null));
    cache.install("2026.9.6", progress::add);
    cache.install("2026.10.1", progress::add);
    assertThat(siblings()).contains("2026.9.6", "2026.10.1");
    assertThat(installs).hasValue(2);
  }

  @Test
  void install_versionThatIsNotExact_isRefusedBeforeAnythingIsWritten() {
    InstallCache cache = cache(installer(Duration.ZERO, null));
    for (String version : List.of("latest", "^2026.9.6", "../../etc", "2026.9", "2026.9.6 ", "")) {
      assertThatThrownBy(() -> cache.install(version, progress::add)).as(version)
          .isInstanceOf(RuntimeInstallException.class).hasMessageContaining("not an exact openclaw version");
    }
    assertThat(installs).hasValue(0);
    assertThat(siblings()).isEmpty();
  }

  /**
   * Another Reef on the same machine holds the version's file lock (a second JVM here, because one JVM cannot take
   * a lock it holds): this one waits, then finds the work done or does it.
   */
  @Test
  void install_whileAnotherProcessHoldsTheLock_waitsForIt() throws Exception {
    Files.createDirectories(root);
    Path holder = root.resolve("LockHolder.java");
    Files.writeString(holder, """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        class LockHolder {
          public static void main(String[] args) throws Exception {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); var lock = channel.lock()) {
              System.out.println("locked");
              System.in.read(); // until the test closes our stdin
            }
          }
        }
        """);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process other = new ProcessBuilder(java, holder.toString(), root.resolve(".2026.9.6.lock").toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader output = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertThat(output.readLine()).isEqualTo("locked");
      InstallCache cache = cache(installer(Duration.ZERO, null));
      CountDownLatch waiting = new CountDownLatch(1);
      Thread installing = Thread.ofVirtual().start(() -> cache.install("2026.9.6", line -> {
        progress.add(line);
        if (line.startsWith("waiting for another Reef process")) {
          waiting.countDown();
        }
      }));
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      assertThat(installs).as("nothing installed while the other process holds the lock").hasValue(0);
      other.getOutputStream().close();
      installing.join(Duration.ofSeconds(10));
      assertThat(cache.isInstalled("2026.9.6")).isTrue();
      assertThat(installs).hasValue(1);
    } finally {
      other.destroyForcibly();
    }
  }

  private List<String> siblings() {
    try (Stream<Path> list = Files.list(root)) {
      return list.map(path -> path.getFileName().toString()).filter(name -> !name.endsWith(".java")).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
