package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.RuntimeInstallException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One directory per version under {@code root}, each installed at most once and never visible half-done.
 *
 * <p>Design note: a version counts as installed only when {@code root/<version>/.reef-install} exists. The installer
 * works in a staging directory next to it ({@code root/.<version>.staging-*}); the staged tree is verified, the
 * marker written last, and the directory renamed into place in one atomic step. A killed or failed install
 * therefore leaves at most a staging directory, which the next attempt deletes, and a reader never sees a partial
 * tree under the version's name. Installs of one version are serialized twice: by an in-process lock (a JVM cannot
 * take the same file lock twice) and by a file lock ({@code root/.<version>.lock}) shared with other Reef processes
 * on the machine. Whoever gets the locks second finds the version installed and returns at once. Installed trees
 * lose their write permissions: agents run from them and must not change them (not even to update themselves).
 */
final class InstallCache {

  static final String MARKER = ".reef-install";

  /** Exact versions only (1.2.3, 2026.9.6, 1.0.0-beta.2): it names a directory and an npm version. */
  private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.]+)?");

  private static final Set<PosixFilePermission> WRITE = EnumSet.of(PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private static final Logger log = LoggerFactory.getLogger(InstallCache.class);

  /** Puts one version's files into an empty directory and checks them. */
  interface Installer {

    /** Fills {@code target}; throws {@link RuntimeInstallException} with the reason when it cannot. */
    void install(String version, Path target, Consumer<String> progress) throws InterruptedException;

    /**
     * Checks that {@code target} holds a complete, working install; returns a line that describes it (recorded in
     * the marker), or throws {@link RuntimeInstallException} saying what is wrong.
     */
    String verify(String version, Path target) throws InterruptedException;
  }

  private final String runtime;
  private final Path root;
  private final Installer installer;
  private final Clock clock;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  InstallCache(String runtime, Path root, Installer installer, Clock clock) {
    this.runtime = runtime;
    this.root = root;
    this.installer = installer;
    this.clock = clock;
  }

  /** Where {@code version} lives once installed. */
  Path home(String version) {
    return root.resolve(checkVersion(version));
  }

  boolean isInstalled(String version) {
    return Files.isRegularFile(home(version).resolve(MARKER), LinkOption.NOFOLLOW_LINKS);
  }

  /** The versions installed, in no particular order (a directory with its marker, see the design note). */
  java.util.List<String> installed() {
    if (!Files.isDirectory(root)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
      return dirs.map(dir -> dir.getFileName().toString())
          .filter(name -> VERSION.matcher(name).matches() && isInstalled(name)).toList();
    } catch (IOException e) {
      log.warn("could not list the {} versions in {}: {}", runtime, root, e.toString());
      return java.util.List.of();
    }
  }

  /** Installs {@code version} unless it already is; returns its directory. */
  Path install(String version, Consumer<String> progress) {
    Path home = home(version);
    if (isInstalled(version)) {
      return home;
    }
    ReentrantLock lock = locks.computeIfAbsent(version, v -> new ReentrantLock());
    if (!lock.tryLock()) {
      progress.accept("waiting for the install of " + runtime + " " + version + " already in progress");
      try {
        lock.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeInstallException("waiting for the install of " + runtime + " " + version
            + " was interrupted", e);
      }
    }
    try {
      return installLocked(version, home, progress);
    } finally {
      lock.unlock();
    }
  }

  private Path installLocked(String version, Path home, Consumer<String> progress) {
    try {
      Files.createDirectories(root);
      try (FileChannel channel = FileChannel.open(root.resolve("." + version + ".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock ignored = fileLock(channel, version, progress)) {
        if (isInstalled(version)) {
          return home; // another caller (or another Reef on this machine) finished it while we waited
        }
        removeLeftovers(version, home, progress);
        Path staging = Files.createTempDirectory(root, "." + version + ".staging-");
        // a temp directory is private to its owner; agents may run as other users and must be able to read it
        PosixFileAttributeView view = Files.getFileAttributeView(staging, PosixFileAttributeView.class);
        if (view != null) {
          view.setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try {
          stageAndVerify(version, staging, progress);
          shareReadOnly(staging);
          moveIntoPlace(staging, home);
        } finally {
          deleteQuietly(staging); // gone after a successful move; the remains of a failed attempt otherwise
        }
        return home;
      }
    } catch (RuntimeInstallException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new RuntimeInstallException("could not install " + runtime + " " + version + " into " + root + ": "
          + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeInstallException("the install of " + runtime + " " + version + " was interrupted", e);
    }
  }

  private void stageAndVerify(String version, Path staging, Consumer<String> progress)
      throws IOException, InterruptedException {
    Instant started = clock.instant();
    installer.install(version, staging, progress);
    String description = installer.verify(version, staging);
    Duration took = Duration.between(started, clock.instant());
    Files.writeString(staging.resolve(MARKER), runtime + " " + version + "\n" + description + "\ninstalled "
        + clock.instant() + " in " + took.toSeconds() + " s\n", StandardCharsets.UTF_8);
    String done = "installed " + runtime + " " + version + " (" + description + ") in " + took.toSeconds() + " s";
    log.info(done);
    progress.accept(done);
  }

  private FileLock fileLock(FileChannel channel, String version, Consumer<String> progress) throws IOException {
    FileLock lock = channel.tryLock();
    if (lock == null) {
      progress.accept("waiting for another Reef process to finish installing " + runtime + " " + version);
      lock = channel.lock();
    }
    return lock;
  }

  /** Staging directories of dead attempts, and a version directory without its marker (never made by us). */
  private void removeLeftovers(String version, Path home, Consumer<String> progress) throws IOException {
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(root, "." + version + ".staging-*")) {
      for (Path path : stale) {
        progress.accept("removing an unfinished earlier install of " + runtime + " " + version);
        deleteTree(path);
      }
    }
    if (Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
      progress.accept("removing an incomplete install of " + runtime + " " + version + " (no " + MARKER + ")");
      deleteTree(home);
    }
  }

  private static void moveIntoPlace(Path staging, Path home) throws IOException {
    try {
      Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + home.getParent() + " cannot rename atomically", e);
    }
  }

  /**
   * Every file readable (and every directory and program runnable) by everyone, and writable by no one: sandboxed
   * agents run as uids of their own and only read the install, whatever umask Reef ran with when it installed.
   * Read-only is a guard against accidents; the sandbox mounts it read-only besides.
   */
  static void shareReadOnly(Path home) throws IOException {
    Files.walkFileTree(home, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isSymbolicLink()) {
          share(file, false);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        share(dir, true);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void share(Path path, boolean directory) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> permissions = view.readAttributes().permissions();
    boolean runnable = directory || permissions.contains(PosixFilePermission.OWNER_EXECUTE);
    permissions.removeAll(WRITE);
    permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OTHERS_READ));
    if (runnable) {
      permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_EXECUTE));
    }
    view.setPermissions(permissions);
  }

  /** Deletes a tree, read-only directories included (their owner may make them writable again). */
  static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
          Set<PosixFilePermission> permissions = view.readAttributes().permissions();
          if (permissions.add(PosixFilePermission.OWNER_WRITE) | permissions.add(PosixFilePermission.OWNER_EXECUTE)) {
            view.setPermissions(permissions);
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** After a failure, so that a second failure (of the clean-up) does not hide the first. */
  private static void deleteQuietly(Path path) {
    try {
      deleteTree(path);
    } catch (IOException e) {
      log.warn("could not remove {} (the next install removes it): {}", path, e.toString());
    }
  }

  private String checkVersion(String version) {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new RuntimeInstallException("'" + version + "' is not an exact " + runtime
          + " version (like 2026.9.6): versions are pinned, never ranges or tags", null);
    }
    return version;
  }

  private static String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.contains("No space left on device") ? "the disk is full (" + message + ")" : message;
  }
}
