package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sandboxed agent's disk limit: its own files ({@code fs/}) are a file system of their own, an ext4 image of
 * {@code agentDiskMb} loop-mounted there while the agent runs. An agent that fills it gets {@code ENOSPC}; the
 * host's disk and other agents' never notice. The image is sparse: it takes on the host what the agent wrote.
 *
 * <p>Why an image rather than quotas: project quotas need a file system mounted with them (XFS, ext4 with the
 * option), which Reef cannot assume of the host; a loop device needs only root. A raised limit grows the image
 * (online, while mounted); a lowered one shrinks it at the next start if what the agent keeps fits, else the image
 * keeps its size and the start records so. Where it is not possible (not root, no loop devices, no e2fsprogs) the
 * limit is not enforced and Reef says why at start-up.
 */
final class AgentDisks {

  static final String ENFORCED = "ext4-image";
  static final String IMAGE = "disk.img";

  private static final Logger log = LoggerFactory.getLogger(AgentDisks.class);
  private static final long MIB = 1024 * 1024;

  private final Optional<String> unavailable;
  private final Path mountInfo;

  private AgentDisks(Optional<String> unavailable, Path mountInfo) {
    this.unavailable = unavailable;
    this.mountInfo = mountInfo;
  }

  /** What this machine allows. */
  static AgentDisks detect(boolean root) {
    List<String> missing = new ArrayList<>();
    for (String program : List.of("mkfs.ext4", "e2fsck", "resize2fs", "losetup", "mount", "umount")) {
      if (SandboxSupport.find(program).isEmpty()) {
        missing.add(program);
      }
    }
    if (!root) {
      return new AgentDisks(Optional.of("Reef does not run as root, so it cannot mount agents' disk images"),
          Path.of("/proc/self/mountinfo"));
    }
    if (!missing.isEmpty()) {
      return new AgentDisks(Optional.of("missing " + String.join(", ", missing) + " (apt-get install e2fsprogs "
          + "mount)"), Path.of("/proc/self/mountinfo"));
    }
    if (!Files.exists(Path.of("/dev/loop-control"))) {
      return new AgentDisks(Optional.of("this machine has no loop devices (/dev/loop-control)"),
          Path.of("/proc/self/mountinfo"));
    }
    return new AgentDisks(Optional.empty(), Path.of("/proc/self/mountinfo"));
  }

  static AgentDisks disabled(String why) {
    return new AgentDisks(Optional.of(why), Path.of("/proc/self/mountinfo"));
  }

  boolean usable() {
    return unavailable.isEmpty();
  }

  String describe() {
    return unavailable.map(why -> "disk limits are NOT enforced: " + why)
        .orElse("disk limits are enforced by an ext4 image per agent, loop-mounted while it runs");
  }

  /**
   * Makes {@code files} the agent's disk of {@code sizeMb} (made the first time, resized when the limit changed,
   * mounted when it is not) and returns how the limit is enforced, or {@link Cgroups#NOT_ENFORCED}. Files an agent
   * had before it had a disk are moved onto it.
   */
  String ensure(Path agentDir, Path files, Path spare, long sizeMb, long uid) throws IOException {
    Path image = agentDir.resolve(IMAGE);
    if (!usable() || (sizeMb <= 0 && !Files.exists(image))) {
      return Cgroups.NOT_ENFORCED;
    }
    boolean mounted = mounted(files);
    if (!Files.exists(image)) {
      make(image, Math.max(sizeMb, 16), uid);
      if (Files.isDirectory(files) && !mounted && !empty(files)) {
        moveOnto(image, files, spare);
      }
    } else if (sizeMb > 0 && Files.size(image) != sizeMb * MIB) {
      resize(image, files, mounted, sizeMb);
    }
    if (!mounted(files)) {
      Files.createDirectories(files);
      run("mount", "-o", "loop,nosuid,nodev", image.toString(), files.toString());
    }
    Files.setPosixFilePermissions(files, PosixFilePermissions.fromString("rwx------"));
    UnixSockets.chown(files, uid);
    return ENFORCED;
  }

  /** The image's size now, in MiB. */
  static long sizeMb(Path agentDir) {
    try {
      return Files.size(agentDir.resolve(IMAGE)) / MIB;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Unmounts the agent's disk (when it is stopped), lazily if something still holds it. */
  void release(Path files) {
    if (!mounted(files)) {
      return;
    }
    try {
      run("umount", files.toString());
    } catch (IOException e) {
      try {
        run("umount", "-l", files.toString());
      } catch (IOException again) {
        log.warn("Could not unmount the disk of {}: {}", files, again.getMessage());
      }
    }
  }

  /** Whether a file system is mounted at {@code path} (as {@code /proc/self/mountinfo} says). */
  boolean mounted(Path path) {
    String wanted = path.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(mountInfo)) {
        String[] fields = line.split(" ");
        if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static void make(Path image, long sizeMb, long uid) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(sizeMb * MIB); // sparse: nothing is written until the agent writes
    }
    Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
    run("mkfs.ext4", "-q", "-F", "-m", "0", "-E", "root_owner=" + uid + ":" + uid
        + ",lazy_itable_init=1,lazy_journal_init=1", image.toString());
  }

  private void resize(Path image, Path files, boolean mounted, long sizeMb) throws IOException {
    long current = Files.size(image) / MIB;
    if (mounted) {
      if (sizeMb > current) { // grow while in use: the loop device first, then the file system
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
          file.setLength(sizeMb * MIB);
        }
        String device = device(files).orElseThrow(() -> new IOException("no loop device for " + files));
        run("losetup", "-c", device);
        run("resize2fs", device);
      }
      return; // a shrink waits for the next start, when it is not in use
    }
    runAllowing(1, "e2fsck", "-f", "-p", image.toString()); // 1: it fixed something, and all is well
    if (sizeMb > current) {
      try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
        file.setLength(sizeMb * MIB);
      }
      run("resize2fs", image.toString());
      return;
    }
    try {
      run("resize2fs", image.toString(), sizeMb + "M");
      try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
        file.setLength(sizeMb * MIB);
      }
    } catch (IOException e) {
      log.warn("The disk of {} stays at {} MB: what it holds does not fit in {} MB ({})", files, current, sizeMb,
          e.getMessage());
    }
  }

  /** Moves what an agent wrote before it had a disk onto its new disk. */
  private static void moveOnto(Path image, Path files, Path spare) throws IOException {
    Files.createDirectories(spare);
    run("mount", "-o", "loop,nosuid,nodev", image.toString(), spare.toString());
    try {
      run("cp", "-a", files + "/.", spare + "/");
    } finally {
      run("umount", spare.toString());
    }
    try (Stream<Path> children = Files.list(files)) {
      for (Path child : children.toList()) {
        run("rm", "-rf", "--one-file-system", child.toString());
      }
    }
  }

  private Optional<String> device(Path mountPoint) {
    String wanted = mountPoint.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(mountInfo)) {
        String[] fields = line.split(" ");
        int dash = java.util.Arrays.asList(fields).indexOf("-");
        if (fields.length > 4 && unescape(fields[4]).equals(wanted) && dash > 0 && dash + 2 < fields.length) {
          return Optional.of(fields[dash + 2]);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean empty(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.findAny().isEmpty();
    }
  }

  /** mountinfo writes a space in a path as \040. */
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

  private static void run(String... command) throws IOException {
    runAllowing(0, command);
  }

  /** Runs a program; an exit code from 0 to {@code highestGood} is success. */
  private static void runAllowing(int highestGood, String... command) throws IOException {
    List<String> line = new ArrayList<>(List.of(command));
    line.set(0, SandboxSupport.find(command[0]).map(Path::toString).orElse(command[0]));
    Process process = new ProcessBuilder(line).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String output = new String(process.getInputStream().readNBytes(4000), StandardCharsets.UTF_8).strip();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (process.exitValue() < 0 || process.exitValue() > highestGood) {
      throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
    }
  }
}
