package dev.reef.orchestration.internal.process;

import dev.reef.orchestration.Launch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The copies of {@link Launch.SharedDirectory shared directories} agents are shown: one per source, owner and links,
 * made once and reused by every agent of that owner (a tenant's uid), so a plugin of tens of MB is copied once per
 * tenant, not at each start.
 *
 * <p>Why a copy and not the source itself: a runtime may refuse code owned by another user than the one it runs as
 * (OpenClaw does), and inside a sandbox whose user namespace maps only the agent's uid, files of Reef's own show
 * as owned by nobody. The copy is Reef's (under its private data directory, out of the agent's reach) but owned by
 * the agent's uid, and the sandbox shows it read-only: the agent can change neither it nor what other agents of its
 * tenant see. A copy is complete when its marker exists; it is built aside and moved into place.
 */
final class SharedCopies {

  static final String MARKER = ".reef-copy";

  private final Path root;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  SharedCopies(Path root) {
    this.root = root;
  }

  /**
   * The copy of {@code shared} for {@code uid}, with its links pointing where {@code translate} says the targets
   * appear to the agent; made now unless it exists.
   */
  Path copyFor(Launch.SharedDirectory shared, long uid, UnaryOperator<String> translate) throws IOException {
    Map<String, String> links = links(shared, translate);
    String key = key(shared.host(), uid, links);
    Path copy = root.resolve(Long.toString(uid)).resolve(key);
    if (Files.isRegularFile(copy.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
      return copy;
    }
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      if (Files.isRegularFile(copy.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
        return copy;
      }
      for (Path dir : new Path[] {root, copy.getParent()}) {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      Path aside = copy.resolveSibling("." + key + "." + UUID.randomUUID());
      try {
        fill(aside, shared.host(), links, uid, key);
        ProcessComputeDriver.deleteTree(copy); // an unfinished copy of an earlier attempt
        Files.move(aside, copy, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        ProcessComputeDriver.deleteTree(aside);
      }
      return copy;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Copies {@code shared} to {@code target} (an agent's own directory, when there is no sandbox to show a copy in),
   * unless the copy there is of the same source and links already.
   */
  void copyInto(Launch.SharedDirectory shared, Path target, long uid) throws IOException {
    Map<String, String> links = links(shared, UnaryOperator.identity());
    String key = key(shared.host(), uid, links);
    Path marker = target.resolve(MARKER);
    if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)
        && Files.readString(marker, StandardCharsets.UTF_8).strip().equals(key)) {
      return;
    }
    Files.createDirectories(target.getParent());
    Path aside = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID());
    try {
      fill(aside, shared.host(), links, uid, key);
      ProcessComputeDriver.deleteTree(target);
      Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      ProcessComputeDriver.deleteTree(aside);
    }
  }

  private static Map<String, String> links(Launch.SharedDirectory shared, UnaryOperator<String> translate) {
    Map<String, String> links = new TreeMap<>();
    shared.links().forEach((name, target) -> links.put(name, translate.apply(target.toString())));
    return links;
  }

  private static String key(Path host, long uid, Map<String, String> links) {
    StringBuilder text = new StringBuilder(host.toAbsolutePath().normalize().toString()).append('\0').append(uid);
    links.forEach((name, target) -> text.append('\0').append(name).append('=').append(target));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return host.getFileName() + "-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The source's tree (links copied as links), the links set, everything given to {@code uid}, then the marker. */
  private static void fill(Path target, Path source, Map<String, String> links, long uid, String key)
      throws IOException {
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        // the sandbox shows the copy read-only: its directories need not be (and could not be filled if they were)
        Files.createDirectory(target.resolve(source.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
            LinkOption.NOFOLLOW_LINKS);
        return FileVisitResult.CONTINUE;
      }
    });
    for (Map.Entry<String, String> link : links.entrySet()) {
      Path at = target.resolve(link.getKey()).normalize();
      if (!at.startsWith(target)) {
        throw new IOException("a link of a shared directory must stay inside it: " + link.getKey());
      }
      Files.createDirectories(at.getParent());
      if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
        ProcessComputeDriver.deleteTree(at);
      }
      Files.deleteIfExists(at);
      Files.createSymbolicLink(at, Path.of(link.getValue()));
    }
    Files.writeString(target.resolve(MARKER), key + "\n", StandardCharsets.UTF_8);
    if (uid != UnixSockets.ownUid()) {
      try (var paths = Files.walk(target)) {
        for (Path path : (Iterable<Path>) paths::iterator) {
          UnixSockets.chown(path, uid);
        }
      }
    }
  }
}
